from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carebroker.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from carebroker.accounts import two_factor  # noqa: F401 (connects its sign-in signal)
