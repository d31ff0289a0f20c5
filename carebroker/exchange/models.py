from django.db import models


class EhmSubmission(models.Model):
    """A provider's four-weekly EHM visit return, checked and summarised (docs/policies.md §4).

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
        verbose_name = "EHM submission"
        ordering = ["provider", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "period_start", "period_end"], name="ehm_submission_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} EHM {self.period_start:%d/%m/%Y}-{self.period_end:%d/%m/%Y}"


class ReplyStatus(models.TextChoices):
    QUEUED = "queued", "Queued for a broker"
    RECORDED = "recorded", "Recorded"
    DISMISSED = "dismissed", "Dismissed"


class InboundReply(models.Model):
    """A provider's email reply, read once (exchange/replies.py): its answers recorded
    through the engine, or queued with why a broker must look at it (docs/architecture.md §10.3:
    email replies "are read for case numbers and answers")."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="inbound_replies"
    )
    message_id = models.CharField(
        max_length=300, help_text="The email's Message-ID (or a digest of it): read once."
    )
    received_at = models.DateTimeField()
    sender = models.CharField(max_length=320)
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_replies",
    )
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The original text of the email.")
    status = models.CharField(
        max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.QUEUED
    )
    reason = models.CharField(max_length=500, blank=True, help_text="Why it was queued.")
    answers = models.JSONField(
        default=list, blank=True, help_text="The answers read (and recorded), by Mosaic ID."
    )
    read_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "inbound replies"  # not Django's "inbound replys"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "message_id"], name="inbound_reply_unique_message"
            )
        ]
        indexes = [models.Index(fields=["council", "status"], name="inbound_reply_status")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject or '(no subject)'}"
