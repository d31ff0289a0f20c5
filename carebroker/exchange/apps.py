from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Files in and out: the provider directory, the CQC care directory, EHM visit returns."""

    name = "carebroker.exchange"
    default_auto_field = "django.db.models.BigAutoField"
