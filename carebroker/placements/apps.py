from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    """After the award: the placement documents (ISP, confirmation form, SDO, IPA, notices)."""

    name = "carebroker.placements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sourcing shell attaches the documents its notices carry (placements/paperwork.py).
        from carebroker.placements.paperwork import register

        register()

        # UK GDPR storage limitation: the retention policy runs in every worker sweep of the
        # list lane: it reads every council's old records (1-2 s a sweep at 2 councils,
        # issue 14), which the due steps must not wait for; a day's retention is not late
        # by a sweep.
        from carebroker.placements.personal_data import retention_duty
        from carebroker.sourcing.worker import LISTS, add_duty

        add_duty(retention_duty, lane=LISTS)
