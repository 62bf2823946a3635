from django.apps import AppConfig


class NegotiationsConfig(AppConfig):
    name = "negotiations"
    verbose_name = "交渉記録・分納誓約"

    def ready(self):
        from negotiations import receivers  # noqa: F401  (promises and pledges follow payment imports)
