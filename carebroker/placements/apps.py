from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    """After the award: the placement documents (ISP, confirmation form, SDO, IPA, notices)."""

    name = "carebroker.placements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sourcing shell attaches the documents its notices carry (placements/paperwork.py).
        from carebroker.placements.paperwork import register

        register()
