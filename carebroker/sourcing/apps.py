from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class SourcingConfig(AppConfig):
    name = "carebroker.sourcing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from carebroker.councils.models import Council

        post_save.connect(_policy_saved, sender=Council, dispatch_uid="sourcing-duty-due")


def _policy_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A council's policy may have changed its waiting list, its clocks after the award or its
    calendar: the duties' stored moments of its packages are worked out again at the next
    sweep (sourcing/duty_due.py)."""
    fields = kwargs.get("update_fields")
    if created or (fields is not None and not {"policy_name", "policy_toml"} & set(fields)):
        return
    from carebroker.sourcing.duty_due import forget_council

    forget_council(instance.pk)
