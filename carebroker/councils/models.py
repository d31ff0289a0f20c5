from django.db import models


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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """Where providers are approached: an Essex quadrant, a Kent cluster, a Leics framework area."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=AreaKind.choices)
    locality = models.CharField(max_length=100, blank=True, help_text="Kent: the locality.")

    class Meta:
        ordering = ["council", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="area_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """An outward code (e.g. CO4) served from one area of a council."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="districts")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="districts")
    district = models.CharField(max_length=4)

    class Meta:
        ordering = ["district"]
        constraints = [
            models.UniqueConstraint(fields=["council", "district"], name="district_unique")
        ]

    def __str__(self) -> str:
        return self.district
