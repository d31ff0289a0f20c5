import tomllib
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from carebroker.engine.policy import PRESETS, Policy, PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.lib.postcodes import PostcodeError, parse_district


def council_policy(policy_name: str, policy_toml: str) -> Policy:
    """The policy a council runs: its own TOML text when it has one, else the preset.
    The text is always read as TOML, never as a file name (load_policy reads paths)."""
    if policy_toml.strip():
        try:
            table = tomllib.loads(policy_toml)
        except tomllib.TOMLDecodeError as error:
            raise PolicyError([f"not valid TOML: {error}"]) from None
        return load_policy(table)
    if policy_name not in PRESETS:
        raise PolicyError(
            [f"policy_name: {policy_name!r} is not a preset ({', '.join(sorted(PRESETS))})"]
        )
    return load_policy(policy_name)


class AreaKind(models.TextChoices):
    QUADRANT = "quadrant", "Quadrant"
    CLUSTER = "cluster", "Cluster"
    FRAMEWORK_AREA = "framework_area", "Framework area"


class Council(models.Model):
    """A council and the sourcing policy it runs (a preset name or its own TOML)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    policy_name = models.CharField(
        max_length=100, help_text="A preset (essex-lah, kent-oppd, leics-short-breaks)."
    )
    policy_toml = models.TextField(
        blank=True, help_text="The council's own copy of a policy; empty means the preset."
    )
    # Learned from brokers' reviews of provider views (docs/policies.md §6.2): removed from
    # every provider view made for this council from then on.
    redact_words = models.JSONField(
        default=list,
        blank=True,
        help_text="Names and words brokers removed from provider views; kept out of every new one.",
    )
    # UK GDPR storage limitation (docs/security.md, Personal data): the personal data of a
    # package closed this many years ago is anonymised by the worker's retention duty.
    retention_years = models.PositiveSmallIntegerField(
        default=7,
        help_text="Years after a package ends before its person's personal data is anonymised.",
    )

    # Kent (docs/policies.md §5 After acceptance): the enablement team is told the start date
    # of a person who came to long-term care from enablement. Empty: the referrer is asked to
    # tell them, as before.
    enablement_team_email = models.EmailField(
        blank=True,
        help_text="Told the start date of each person who came from enablement. "
        "Leave empty to ask the referrer to tell the enablement team instead.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A policy edit is checked as `carebroker policy check` checks a file, every bad
        # field named; a refused edit is not saved, so the last good policy stays in force
        # (issue 12 finding 5: "not [valid" once took every page and duty down).
        super().clean()
        try:
            council_policy(self.policy_name, self.policy_toml)
        except PolicyError as error:
            field = "policy_toml" if self.policy_toml.strip() else "policy_name"
            raise ValidationError({field: list(error.errors)}) from None


class Area(models.Model):
    """Where providers are approached: an Essex quadrant, a Kent cluster, a Leics framework area."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=AreaKind.choices)
    locality = models.CharField(max_length=100, blank=True, help_text="Kent: the locality.")
    # Essex: each quadrant's Service Placement Team, named on every notice about one of its
    # packages (docs/policies.md §4 After the award); empty where the council has one team.
    team_name = models.CharField(
        max_length=100, blank=True, help_text='Essex: "Service Placement Team (North)".'
    )
    team_email = models.EmailField(blank=True)
    team_phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["council", "name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="area_unique_name")]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """An outward code (e.g. CO4) served from one area of a council."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="districts")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="districts")
    district = models.CharField(
        max_length=4, help_text="The outward code, e.g. CO4; stored upper case."
    )

    class Meta:
        ordering = ["district"]
        constraints = [
            models.UniqueConstraint(fields=["council", "district"], name="district_unique")
        ]

    def __str__(self) -> str:
        return self.district

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Lookups compare upper case (find_area): keep the stored form so even without clean().
        self.district = self.district.strip().upper()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        # Normalise before the field checks: " co4 " fits max_length once it is "CO4".
        skip = set(exclude or ())
        errors: dict[str, list[str]] = {}
        if "district" not in skip:
            try:
                self.district = parse_district(self.district)
            except PostcodeError as error:
                errors["district"] = [str(error)]
                skip.add("district")
        try:
            super().clean_fields(exclude=skip)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        super().clean()
        if self.area_id is not None and self.area.council_id != self.council_id:
            raise ValidationError({"area": "The area belongs to another council."})
