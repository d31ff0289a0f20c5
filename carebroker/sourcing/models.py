from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from carebroker.engine.vocabulary import STORED_STATUSES
from carebroker.engine.vocabulary import PackageStatus as Status
from carebroker.lib.mosaic import RULE as MOSAIC_RULE
from carebroker.lib.mosaic import mosaic_id_problem

# The statuses and their words come from the engine's vocabulary (engine/vocabulary.py).
PackageStatus = models.TextChoices(
    "PackageStatus", [(s.name, (s.value, s.label)) for s in Status if s in STORED_STATUSES]
)


def validate_mosaic_id(case: str) -> None:
    if problem := mosaic_id_problem(case):
        raise ValidationError(f"Mosaic ID: {problem}")


# A package row made around the write path (a bulk load, a hand-built row) or of a council
# whose policy changed: its duties' moments are due at once, and the next sweep works them
# out (sourcing/duty_due.py).
NOT_WORKED_OUT = datetime(2000, 1, 1, tzinfo=UTC)


class Package(models.Model):
    """One person's need for care that must be sourced, known by its Mosaic ID."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="packages"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="packages"
    )
    person = models.ForeignKey(
        "referrals.Person", on_delete=models.PROTECT, related_name="packages"
    )
    case_number = models.CharField(
        "Mosaic ID", max_length=30, validators=[validate_mosaic_id], help_text=MOSAIC_RULE
    )
    area = models.ForeignKey("councils.Area", on_delete=models.PROTECT, related_name="packages")
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    preferred_start = models.DateField()
    urgent = models.BooleanField(default=False)
    emergency = models.BooleanField(default=False)
    hospital_discharge = models.BooleanField(default=False)
    lot = models.PositiveSmallIntegerField(null=True, blank=True)
    support_type = models.CharField(max_length=50, blank=True)
    specialisms = models.JSONField(default=list, blank=True)
    target_supply_area = models.BooleanField("TSA", default=False)
    enhanced_rate = models.BooleanField(default=False)
    change_to_existing = models.BooleanField(
        default=False,
        help_text="Increase, decrease or continuation: its current provider is asked first (§4.2).",
    )
    current_provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_packages",
        help_text="A change's provider today: asked directly first, 1 working day (§4.2).",
    )
    status = models.CharField(
        max_length=10, choices=PackageStatus.choices, default=PackageStatus.SOURCING
    )
    stage = models.CharField(max_length=50, blank=True)
    gate = models.CharField(max_length=50, blank=True)
    awarded_provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    # Working time from the referral's receipt to `awarded_at`, by the council's calendar,
    # stored by the write path with the award (sourcing/working_time.py): the dashboard
    # reads it instead of working it out per award on every page. Null while not awarded.
    working_time_to_award = models.DurationField(null=True, blank=True, editable=False)
    # When the package started waiting (docs/policies.md §5): the acceptance, a self-funder's
    # grace end, or the last handback; null while not waiting (not accepted yet, or in a
    # self-funder's grace). Stored by the write path with the step that starts the wait
    # (sourcing/waiting_from.py): the waiting list's filters, counts and sort read it.
    waiting_from = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The engine's PackageState as a JSON snapshot (sourcing/snapshot.py); null until the
    # referral is checked (or, for a package seeded before the engine ran, its first sweep).
    engine_state = models.JSONField(null=True, blank=True, editable=False)
    provider_view = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The anonymised record: all a provider sees before an award (§6.2).",
    )
    next_due = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the worker must next tick it."
    )
    # When the worker's waiting-list and after-award duties next have work for it (null: no
    # more), kept by the write path with the step that moves it (sourcing/duty_due.py): a
    # sweep reads the packages due now through these indexes, not every live package.
    waiting_due = models.DateTimeField(
        null=True, blank=True, db_index=True, editable=False, default=NOT_WORKED_OUT
    )
    chase_due = models.DateTimeField(
        null=True, blank=True, db_index=True, editable=False, default=NOT_WORKED_OUT
    )
    held_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why a broker holds it (status held): the clocks wait.",
    )
    # docs/policies.md §6.2 (issue 12 finding 11): a broker reads the provider view and
    # confirms it before the first request; the words they add are removed from it.
    view_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    view_confirmed_by = models.CharField(max_length=150, blank=True, editable=False)
    redact_words = models.JSONField(
        default=list,
        blank=True,
        help_text="Names and words a broker removed from what providers see of this package.",
    )

    class Meta:
        ordering = ["preferred_start", "case_number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "case_number"], name="package_unique_case")
        ]
        # The dashboard and reports (reports/figures.py) select a council's packages by the
        # time of award and by status; without these a large council is scanned whole.
        indexes = [
            models.Index(fields=["council", "awarded_at"], name="package_council_awarded"),
            models.Index(fields=["council", "status"], name="package_council_status"),
            # The broker's list (web/views/packages.py) is the live packages: its filters and
            # sorts within them, so a large live list is not read whole (issue 14).
            models.Index(fields=["council", "status", "area"], name="package_live_area"),
            models.Index(fields=["council", "status", "stage"], name="package_live_stage"),
            models.Index(
                fields=["council", "status", "preferred_start", "case_number"],
                name="package_live_start",
            ),
            # The waiting list and the list's "longest waiting" sort and RAG filter; the
            # flags after them let the list's counts (urgent, RAG) read this index alone, not
            # every live package's row (web/views/packages.py _counts, bench/README.md).
            models.Index(
                fields=[
                    "council",
                    "status",
                    "waiting_from",
                    "case_number",
                    "urgent",
                    "hospital_discharge",
                    "emergency",
                ],
                name="package_live_waiting_flags",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever writes a package (a form, an importer, the API, a shell) cannot store a
        # Mosaic ID that breaks its links: "a/b" gave 500s on every page (issue 12 #4).
        if problem := mosaic_id_problem(self.case_number):
            raise ValidationError({"case_number": f"Mosaic ID: {problem}"})
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        # Every record a package points at must be its own council's (docs/architecture.md §9).
        for field in ("referral", "person", "area", "awarded_provider", "current_provider"):
            related = getattr(self, field) if getattr(self, f"{field}_id") is not None else None
            if related is not None and related.council_id != self.council_id:
                errors[field] = f"The {field.replace('_', ' ')} belongs to another council."
        if (
            "referral" not in errors
            and self.referral_id is not None
            and self.person_id is not None
            and self.referral.person_id != self.person_id
        ):
            errors["person"] = "The person is not the person of the referral."
        if errors:
            raise ValidationError(errors)


class SourcingRequest(models.Model):
    """One approach to one provider (docs/policies.md §2), mirrored from the engine's state for
    queries; `seq` is its place in the package's requests, in the order sent."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="requests")
    seq = models.PositiveIntegerField()
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="requests"
    )
    stage = models.CharField(max_length=50)
    round = models.CharField(max_length=10)
    sent_at = models.DateTimeField()
    deadline = models.DateTimeField()
    outcome = models.CharField(max_length=15, default="open")
    responded_at = models.DateTimeField(null=True, blank=True)
    # Working time from `sent_at` to `responded_at` (sourcing/working_time.py), stored by
    # the write path with the answer for the dashboard's time to answer.
    working_time_to_answer = models.DurationField(null=True, blank=True, editable=False)
    rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    coverage = models.CharField(max_length=10, blank=True)
    start = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    not_awarded = models.CharField(max_length=100, blank=True)
    late = models.BooleanField(default=False)
    chased = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["package", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["package", "seq"], name="request_unique_seq")
        ]
        indexes = [
            models.Index(fields=["provider", "outcome"], name="request_provider_outcome"),
            # reports/figures.py: the requests sent in a date range
            models.Index(fields=["sent_at"], name="request_sent_at"),
            # The portal's history, newest first: one provider's requests read in order and
            # stopped after a page, not all of them sorted on every request (issue 14).
            models.Index(fields=["provider", "sent_at"], name="request_provider_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.package} → {self.provider} ({self.stage} {self.round}: {self.outcome})"


class EventSource(models.TextChoices):
    ENGINE = "engine", "Sourcing engine"
    COUNCIL = "council", "Council staff"  # a broker's or manager's action, audited
    WORKER = "worker", "Worker"
    PROVIDER = "provider", "Provider"  # a provider user's own act in the portal (a signed IPA)


class TimelineEvent(models.Model):
    """One entry of a package's timeline (docs/architecture.md §5: append-only). Engine events are
    the engine's; council and worker events record who did what outside the engine's rules."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    type = models.CharField(max_length=50)
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=10, choices=EventSource.choices, default=EventSource.ENGINE
    )
    actor = models.CharField(max_length=150, blank=True, help_text="The user, for council events.")

    class Meta:
        ordering = ["package", "id"]
        indexes = [
            models.Index(fields=["package", "type"], name="timeline_package_type"),
            # reports/figures.py: the events of some types in a date range
            models.Index(fields=["type", "at"], name="timeline_type_at"),
        ]

    def __str__(self) -> str:
        return f"{self.package} {self.type} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("timeline events are append-only: write a new event instead")
        super().save(*args, **kwargs)
