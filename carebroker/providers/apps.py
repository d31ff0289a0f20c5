from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "carebroker.providers"
    default_auto_field = "django.db.models.BigAutoField"
