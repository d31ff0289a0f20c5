from django.db import models


class EhmSubmission(models.Model):
    """A provider's four-weekly EHM visit return, checked and summarised (policies.md §4).

    One row per provider and period: a corrected file for the same period replaces
    the summary; the same file again leaves it as it was.
    """

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="ehm_submissions"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="ehm_submissions"
    )
    period_start = models.DateField(help_text="The first visit date in the file.")
    period_end = models.DateField(help_text="The last visit date in the file.")
    received_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    late_after_minutes = models.PositiveSmallIntegerField(
        help_text="A visit starting more than this after its planned start is late."
    )
    short_by_minutes = models.PositiveSmallIntegerField(
        help_text="A visit more than this shorter than planned is short."
    )
    planned_visits = models.PositiveIntegerField()
    delivered_visits = models.PositiveIntegerField()
    late_visits = models.PositiveIntegerField()
    missed_visits = models.PositiveIntegerField()
    short_visits = models.PositiveIntegerField()
    by_package = models.JSONField(
        default=dict, blank=True, help_text="The same counts per Mosaic ID."
    )

    class Meta:
        ordering = ["provider", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "period_start", "period_end"], name="ehm_submission_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} EHM {self.period_start:%d/%m/%Y}-{self.period_end:%d/%m/%Y}"
