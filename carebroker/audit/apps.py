from django.apps import AppConfig, apps

# The models that hold personal data, and how their changes are logged. Values of a person's
# details are never copied into the log: it is kept for ever (append-only), while the record
# itself can be corrected or erased; the log says which field changed, who and when.
PERSONAL = [
    "name",
    "date_of_birth",
    "address",
    "town",
    "postcode",
    "phone",
    "relations",
    "allocated_worker",
    "principal_contact",
    "principal_contact_phone",
    "needs",
]
REGISTERED: dict[str, dict[str, object]] = {
    "referrals.Person": {"mask_fields": PERSONAL},
    "referrals.Referral": {"exclude_fields": ["returned_reason"]},
    # The engine's snapshot and clocks change on every tick: the timeline records those.
    # The working time to award is worked out from the award, which is logged, and the
    # wait's start from the timeline (sourcing/waiting_from.py), and so are the duties' due
    # moments (sourcing/duty_due.py).
    "sourcing.Package": {
        "exclude_fields": [
            "engine_state",
            "provider_view",
            "next_due",
            "working_time_to_award",
            "waiting_from",
            "waiting_due",
            "chase_due",
        ]
    },
    # The ISP password never goes into the log (it is sealed in its own column).
    "placements.PlacementDocument": {"exclude_fields": ["content", "password"]},
    "accounts.User": {"exclude_fields": ["password", "last_login"]},
}
HIDDEN = "carebroker.audit.apps.hidden"


def hidden(value: str) -> str:
    """What the log keeps of a changed personal detail: that it changed, not its value."""
    return "(changed)"


class AuditConfig(AppConfig):
    name = "carebroker.audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from carebroker.audit import record  # noqa: F401  (connects who and where)

        # By label, so this app imports none of the apps it watches (docs/architecture.md §3).
        for label, options in REGISTERED.items():
            if "mask_fields" in options:
                options = {**options, "mask_callable": HIDDEN}
            auditlog.register(apps.get_model(label), **options)  # type: ignore[arg-type]
