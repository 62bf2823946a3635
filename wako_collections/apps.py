from django.apps import AppConfig


class WakoCollectionsConfig(AppConfig):
    name = "wako_collections"
    verbose_name = "滞納整理システム"

    def ready(self):
        from wako_collections import records  # noqa: F401  (history rows name staff and terminal)
