from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TaxpayersConfig(AppConfig):
    name = "taxpayers"
    verbose_name = "宛名・調定・収納"

    def ready(self):
        # Start-up checks: a bad setting or data file stops the app here, naming itself.
        from taxpayers import ordinance
        from taxpayers.settlement import check_order

        try:
            check_order(settings.PAYMENT_ALLOCATION_ORDER)
        except ValueError as error:
            raise ImproperlyConfigured(f"PAYMENT_ALLOCATION_ORDER: {error}") from None
        ordinance.check()
