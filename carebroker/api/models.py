"""API tokens, idempotent requests and webhook endpoints and deliveries (docs/api.md)."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    REFERRALS_WRITE = "referrals:write", "Send referrals"
    PACKAGES_READ = "packages:read", "Read referrals and packages"
    OUTCOMES_READ = "outcomes:read", "Read outcomes"


class ApiToken(models.Model):
    """A bearer token of one user (a council's integration). Only the SHA-256 of the token is
    kept: the token itself is shown once, when it is made in the admin (api/tokens.py)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text='What uses it, e.g. "Mosaic live".')
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The token's first characters, to recognise it."
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The token stops working at this time.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class IdempotentRequest(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, returned again to any retry.

    The unique constraint is the guard: two requests with the same key race to insert this
    row inside the transaction that makes the referral; the loser's transaction (and its
    referral) is rolled back and it answers with the winner's result."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique_key")
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """Where a council's case-management system wants its outcomes pushed."""

    council = models.ForeignKey(
        "councils.Council", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=100, editable=False, help_text="Signs every delivery (HMAC-SHA256)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    since_event = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Outcomes after this timeline event are delivered (those before it are not).",
    )

    class Meta:
        ordering = ["council", "url"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One outcome for one endpoint: made once (unique), sent with the outbox's claim, lease
    and backoff (outbox/delivery.py)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("sourcing.TimelineEvent", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.endpoint} #{self.event_id}"
