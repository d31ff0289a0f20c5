from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "carebroker.portal"
    verbose_name = "Provider portal"
