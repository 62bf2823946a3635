from django.apps import AppConfig


class ReductionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reductions"
    verbose_name = "延滞金の減免"
