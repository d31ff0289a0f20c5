from datetime import date

from django.core.exceptions import ValidationError
from django.db import models


class ProviderKind(models.TextChoices):
    FRAMEWORK = "framework", "Framework"
    SPOT = "spot", "Spot"
    CLUSTERED = "clustered", "Clustered"
    OTHER_CONTRACTED = "other_contracted", "Other contracted"
    NON_CONTRACTED = "non_contracted", "Non-contracted"
    NON_FRAMEWORK = "non_framework", "Non-framework"


class CqcRating(models.TextChoices):
    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    NOT_RATED = "Not rated"


class Provider(models.Model):
    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="providers"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    tier = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Essex: 1 or 2.")
    lots = models.JSONField(default=list, blank=True, help_text="Leics: lot numbers.")
    support_types = models.JSONField(default=list, blank=True)
    specialisms = models.JSONField(default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    cqc_location_id = models.CharField(max_length=20, blank=True)
    cqc_registered = models.BooleanField(default=False)
    cqc_rating = models.CharField(max_length=30, choices=CqcRating.choices, blank=True)
    cqc_rating_date = models.DateField(null=True, blank=True)
    sanctioned = models.BooleanField(default=False)
    sanction_note = models.CharField(max_length=300, blank=True)
    framework_hourly_rate = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )
    areas = models.ManyToManyField(
        "councils.Area", through="ProviderArea", related_name="providers"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="provider_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.tier is not None and self.tier not in (1, 2):
            raise ValidationError({"tier": f"Tier must be 1 or 2, not {self.tier}."})
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError(
                {"max_age": f"The maximum age {self.max_age} is below the minimum {self.min_age}."}
            )


class ProviderArea(models.Model):
    """A provider's rank (Essex) or protocol position (Kent) in one area; 1 is approached first."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="area_ranks")
    area = models.ForeignKey(
        "councils.Area", on_delete=models.CASCADE, related_name="provider_ranks"
    )
    rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["area", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "area"], name="provider_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} #{self.rank} in {self.area}"

    def clean(self) -> None:
        super().clean()
        if (
            self.provider_id is not None
            and self.area_id is not None
            and self.provider.council_id != self.area.council_id
        ):
            raise ValidationError({"area": "The area belongs to another council."})


class ContactRole(models.TextChoices):
    MAIN = "main", "Main contact"
    SENIOR = "senior", "Senior representative"  # Kent copies declines (docs/policies.md §5.2)


class Contact(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(max_length=10, choices=ContactRole.choices, default=ContactRole.MAIN)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class CapacityUnit(models.TextChoices):
    PACKAGES = "packages", "New packages"
    HOURS = "hours", "Hours of care per week"


class CapacityDeclaration(models.Model):
    """What a provider says it can take in one area until a day (docs/policies.md §8).

    One row per provider and area: declaring again replaces it and counts as a new
    declaration (it may be reminded about again once stale). `amount` 0 declares no capacity.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="capacity")
    area = models.ForeignKey(
        "councils.Area", on_delete=models.CASCADE, related_name="capacity_declarations"
    )
    unit = models.CharField(max_length=10, choices=CapacityUnit.choices)
    amount = models.PositiveIntegerField()
    until = models.DateField(help_text="The last day the declaration holds.")
    declared_at = models.DateTimeField()
    declared_by = models.CharField(max_length=150, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider was reminded it is stale (once)."
    )

    class Meta:
        ordering = ["area", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "area"], name="capacity_provider_area")
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.amount} {self.get_unit_display().lower()} in {self.area}"

    def stale(self, on: date) -> bool:
        """Past its day on `on` (a London date): flagged, and counted as nothing declared."""
        return on > self.until
