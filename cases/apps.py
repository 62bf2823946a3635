from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "滞納整理カルテ"
