from django.core.exceptions import ValidationError
from django.db import models


class PackageStatus(models.TextChoices):
    """scenario-format.md § Output `status`."""

    SOURCING = "sourcing", "Being sourced"
    AWARDED = "awarded", "Awarded"
    ON_HOLD = "on_hold", "On hold"
    UNFILLED = "unfilled", "Unfilled"
    RETURNED = "returned", "Returned"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


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
    case_number = models.CharField("Mosaic ID", max_length=30)
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
        default=False, help_text="Increase, decrease or continuation: never batched (§4.2)."
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["preferred_start", "case_number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "case_number"], name="package_unique_case")
        ]

    def __str__(self) -> str:
        return self.case_number

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        # Every record a package points at must be its own council's (design.md § Scale).
        for field in ("referral", "person", "area", "awarded_provider"):
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
