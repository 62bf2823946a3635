from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "職員・端末"

    def ready(self):
        from accounts import signals  # noqa: F401  (login/logout/lockout logging)
