from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "職員・端末"

    def ready(self):
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from accounts import signals  # noqa: F401  (login/logout/lockout logging)
        from accounts.roles import Role

        # Start-up check: the confirming roles must be roles (the setting names the variable).
        for role in settings.PRIVILEGE_CONFIRMER_ROLES:
            if role not in Role.values:
                raise ImproperlyConfigured(f"PRIVILEGE_CONFIRMER_ROLES: {role!r} is not a role")
