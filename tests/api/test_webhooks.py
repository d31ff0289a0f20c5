"""Webhooks (issue 12, docs/api.md): each outcome pushed once per endpoint, signed with
HMAC-SHA256 over "timestamp.body", retried with backoff, failures kept for the admin. The
receiver is a real HTTP server on loopback that checks the signature as a council would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from carebroker.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from carebroker.api.webhooks import deliver_webhooks, queue_webhooks
from carebroker.outbox.delivery import MAX_ATTEMPTS
from carebroker.sourcing.models import TimelineEvent
from carebroker.sourcing.worker import DUTIES
from tests.api.helpers import NOW, kent_world

pytestmark = pytest.mark.django_db

SECRET = "made-up-endpoint-secret"


class Receiver:
    """A council's receiver on 127.0.0.1: verifies each POST's signature and timestamp, and
    answers 204 (or `status`, to play a failing endpoint)."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.received: list[dict] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["Carebroker-Timestamp"]
                expected = hmac.new(
                    SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                given = self.headers["Carebroker-Signature"].removeprefix("v1=")
                if not hmac.compare_digest(expected, given):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                else:
                    receiver.received.append(
                        {
                            "timestamp": int(timestamp),
                            "delivery": self.headers["Carebroker-Delivery"],
                            "body": json.loads(body),
                        }
                    )
                    self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def endpoint(council, url: str, secret: str = SECRET) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        council=council, url=url, secret=secret, created_at=NOW, since_event=0
    )


def test_the_worker_queues_and_delivers_webhooks():
    assert queue_webhooks in DUTIES and deliver_webhooks in DUTIES
    assert DUTIES.index(queue_webhooks) < DUTIES.index(deliver_webhooks)


def test_an_outcome_is_delivered_once_per_endpoint_signed_over_timestamp_and_body():
    world = kent_world()
    with Receiver() as first, Receiver() as second:
        endpoint(world["council"], first.url)
        endpoint(world["council"], second.url)
        for _ in range(2):  # two sweeps, or two workers: still once
            queue_webhooks(NOW)
            deliver_webhooks(NOW, worker_id="test")
    for receiver in (first, second):
        assert receiver.bad_signatures == 0
        assert len(receiver.received) == 1
        (got,) = receiver.received
        assert got["timestamp"] == int(NOW.timestamp())
        outcome = got["body"]["outcome"]
        assert outcome["kind"] == "awarded" and outcome["case_number"] == "MK-1001"
        assert outcome["provider"] == world["pa"].name
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_a_wrong_secret_fails_the_receivers_check():
    world = kent_world()
    with Receiver() as receiver:
        endpoint(world["council"], receiver.url, secret="not-the-receivers")
        queue_webhooks(NOW)
        lines = deliver_webhooks(NOW, worker_id="test")
    assert receiver.bad_signatures == 1 and receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "401" in delivery.last_error and "failed, will retry" in lines[0]


def test_a_failing_endpoint_is_retried_with_backoff_then_left_failed_for_the_admin():
    world = kent_world()
    with Receiver(status=500) as receiver:
        endpoint(world["council"], receiver.url)
        queue_webhooks(NOW)
        deliver_webhooks(NOW, worker_id="test")
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.next_attempt_at == NOW + timedelta(minutes=1)
        assert "500" in delivery.last_error
        deliver_webhooks(NOW + timedelta(seconds=30), worker_id="test")  # not due yet
        assert len(receiver.received) == 1
        at = NOW
        for _ in range(MAX_ATTEMPTS - 1):
            at = WebhookDelivery.objects.get().next_attempt_at
            deliver_webhooks(at, worker_id="test")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS
    assert len({got["delivery"] for got in receiver.received}) == 1  # the same id each time


def test_an_endpoint_made_now_gets_only_outcomes_after_it_and_only_its_councils():
    from carebroker.api.webhooks import latest_outcome

    world, other = kent_world(), kent_world("MK-2002")
    with Receiver() as receiver:
        WebhookEndpoint.objects.create(
            council=world["council"], url=receiver.url, secret=SECRET, created_at=NOW,
            since_event=latest_outcome(world["council"].pk),
        )  # fmt: skip
        TimelineEvent.objects.create(
            package=world["package"], at=NOW + timedelta(hours=2), type="handback",
            details={"provider": str(world["pa"].pk), "reason": "no staff"},
        )  # fmt: skip
        TimelineEvent.objects.create(
            package=other["package"], at=NOW + timedelta(hours=2), type="unfilled", details={}
        )
        queue_webhooks(NOW + timedelta(hours=3))
        deliver_webhooks(NOW + timedelta(hours=3), worker_id="test")
    assert [got["body"]["outcome"]["kind"] for got in receiver.received] == ["handed_back"]
