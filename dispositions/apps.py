from django.apps import AppConfig


class DispositionsConfig(AppConfig):
    name = "dispositions"
    verbose_name = "滞納処分・照会文書・時効"
