"""Webhooks: each outcome (outcomes.py) pushed to each of its council's endpoints, once.

Two worker duties (added in apps.py, after the outbox):

- `queue_webhooks(now)` makes one `WebhookDelivery` per active endpoint and new outcome;
  the unique (endpoint, event) constraint makes it exactly once however often it runs.
- `deliver_webhooks(now)` sends the due ones with the outbox's claim, lease and backoff
  (outbox/delivery.py, docs/architecture.md §6): 1, 2, 4 ... minutes, at most an hour; after
  MAX_ATTEMPTS a delivery is `failed`, listed in the admin with its last error.

Each POST is signed (docs/api.md): `Carebroker-Timestamp: <unix seconds>` and
`Carebroker-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's
secret>`; `Carebroker-Delivery` is the delivery's id, the same on every retry, so a receiver
can drop a copy sent again after a crash between its answer and our record of it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Case, F, PositiveIntegerField, Q, When

from carebroker.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from carebroker.api.outcomes import outcome_events, outcomes_of
from carebroker.outbox.delivery import LEASE, MAX_ATTEMPTS, backoff

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def latest_outcome(council_id: int) -> int:
    last = outcome_events(council_id).order_by("-id").values_list("id", flat=True).first()
    return int(last or 0)


def queue_webhooks(now: datetime) -> list[str]:
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        events = list(
            outcome_events(endpoint.council_id)
            .filter(id__gt=endpoint.since_event)
            .values_list("id", flat=True)[:1000]
        )
        if not events:
            continue
        with transaction.atomic():
            rows = WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(
                        endpoint=endpoint, event_id=event, next_attempt_at=now, created_at=now
                    )
                    for event in events
                ],
                ignore_conflicts=True,  # already made by another worker: once only
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk, since_event__lt=events[-1]).update(
                since_event=events[-1]
            )
        made += len(rows)
    return [f"webhooks: {made} outcome(s) queued"] if made else []


def deliver_webhooks(now: datetime, *, limit: int = 100, worker_id: str = "") -> list[str]:
    token = f"{worker_id or 'worker'}:{uuid.uuid4().hex[:12]}"[:100]
    lines = []
    for delivery in _claim(now, limit, token):
        ours = WebhookDelivery.objects.filter(
            pk=delivery.pk, claimed_by=token, status=DeliveryStatus.SENDING
        )
        try:
            _post(delivery, now)
        except Exception as error:  # one endpoint's failure must not stop the others
            attempts = delivery.attempts + 1
            final = attempts >= MAX_ATTEMPTS
            ours.update(
                status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=now + backoff(attempts),
                claimed_until=None,
            )
            word = "FAILED" if final else "failed, will retry"
            lines.append(f"webhooks: {delivery.endpoint.url} #{delivery.event_id} {word}: {error}")
            continue
        ours.update(
            status=DeliveryStatus.SENT, sent_at=now, attempts=F("attempts") + 1,
            claimed_until=None, last_error="",
        )  # fmt: skip
        lines.append(f"webhooks: sent #{delivery.event_id} to {delivery.endpoint.url}")
    return lines


def payload(delivery: WebhookDelivery) -> bytes:
    (outcome,) = outcomes_of([delivery.event])
    body: dict[str, Any] = {"delivery": str(delivery.pk), "outcome": outcome}
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _post(delivery: WebhookDelivery, now: datetime) -> None:
    body = payload(delivery)
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the URL is a manager's http(s) URLField
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "carebroker-webhooks/1",
            "Carebroker-Timestamp": timestamp,
            "Carebroker-Signature": sign(delivery.endpoint.secret, timestamp, body),
            "Carebroker-Delivery": str(delivery.pk),
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                delivery.endpoint.url, response.status, "not a 2xx answer", response.headers, None
            )


def _claim(now: datetime, limit: int, token: str) -> list[WebhookDelivery]:
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lte=now
    )
    with transaction.atomic():
        candidates = WebhookDelivery.objects.filter(due, endpoint__active=True).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        WebhookDelivery.objects.filter(due, id__in=ids).update(
            status=DeliveryStatus.SENDING,
            claimed_until=now + LEASE,
            claimed_by=token,
            attempts=Case(
                When(status=DeliveryStatus.SENDING, then=F("attempts") + 1),
                default=F("attempts"),
                output_field=PositiveIntegerField(),
            ),
        )
    return list(
        WebhookDelivery.objects.filter(claimed_by=token, status=DeliveryStatus.SENDING)
        .select_related("endpoint", "event", "event__package")
        .order_by("next_attempt_at", "id")
    )
