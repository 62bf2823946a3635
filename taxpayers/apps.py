from django.apps import AppConfig


class TaxpayersConfig(AppConfig):
    name = "taxpayers"
    verbose_name = "宛名・調定・収納"
