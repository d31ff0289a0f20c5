from django.db import models

from carebroker.engine.vocabulary import NoticeKind as Kind

# Every email notice (docs/policies.md §4-6), one template each: the engine's vocabulary
# (engine/vocabulary.py NoticeKind, which also names those only the shell sends, such as
# the scheduled reports) with the words people read.
NoticeKind = models.TextChoices("NoticeKind", [(k.name, (k.value, k.label)) for k in Kind])


def notice_kinds() -> list[tuple[str, str]]:
    """The field's choices, read when asked. A migration records this function, not the list,
    so a new kind in the engine's vocabulary needs no migration (0003-0009 each repeated the
    whole list for one new kind)."""
    return NoticeKind.choices


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notice(models.Model):
    """One email in the outbox. Written only inside the transaction of the change that caused
    it (notices.queue_notice); sent by the worker (delivery.deliver_due)."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="notices"
    )
    package = models.ForeignKey(
        "sourcing.Package",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
    )
    kind = models.CharField(max_length=30, choices=notice_kinds)
    key = models.CharField(
        max_length=200,
        help_text='The cause\'s identity, e.g. "award:M1001:P3": the same key is queued once.',
    )
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Delivery attempts made.")
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="The lease of the worker sending it."
    )
    claimed_by = models.CharField(max_length=100, blank=True, help_text="The claim's token.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Mosaic IDs are unique per council only, so keys are too (docs/architecture.md §9).
            models.UniqueConstraint(fields=["council", "key"], name="notice_unique_key")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notice_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class NoticeAttachment(models.Model):
    """A file sent with a notice (the batch report's .xlsx, docs/policies.md §4.2), written in the
    same transaction as its notice; kept in the database like the notice's body."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["notice", "id"]

    def __str__(self) -> str:
        return self.filename


class NotifySend(models.Model):
    """One address a message went to through GOV.UK Notify (outbox/notify.py). Notify takes
    one address a request, so a notice to three is three requests; when the second fails the
    notice is retried, and these rows keep the first from getting a second copy."""

    message_id = models.CharField(max_length=300, help_text="The notice's Message-ID.")
    address = models.CharField(max_length=254)
    notification_id = models.CharField(max_length=100, help_text="Notify's id for it.")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message_id", "address"], name="notify_send_once")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} to {self.address}"
