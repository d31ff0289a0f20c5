"""deliver_due against a real SMTP server on loopback: sent once, with its headers; refused
and unreachable servers retried with backoff; a notice never sent twice by the outbox."""

from datetime import timedelta

import pytest
from django.db import transaction

from carebroker.outbox import delivery
from carebroker.outbox.delivery import LEASE, MAX_ATTEMPTS, backoff, deliver_due, message_id
from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus
from carebroker.outbox.notices import NoticeError, queue_notice
from tests.outbox.conftest import NOW
from tests.outbox.samples import SAMPLES
from tests.outbox.smtp import free_port

MINUTE = timedelta(minutes=1)


def queue(council, package, key, *, to=("alder@provider.example.org",), cc=()):
    with transaction.atomic():
        return queue_notice(
            council=council,
            kind=NoticeKind.DECLINE_ACKNOWLEDGEMENT,
            key=key,
            to=to,
            cc=cc,
            context=SAMPLES[NoticeKind.DECLINE_ACKNOWLEDGEMENT],
            package=package,
            now=NOW,
        )


def deliver(now=NOW, **options):
    return deliver_due(now, worker_id="test-worker", **options)


def test_delivered_notice_arrives_with_its_to_cc_subject_and_message_id(smtp, council, package):
    """Kent decline acknowledgement (docs/policies.md §5.2): the provider, its senior contact
    copied; the SMTP server receives it once, with the notice's own Message-ID."""
    notice = queue(council, package, "decline:M1001:P3", cc=["senior@provider.example.org"])
    report = deliver()
    assert report.sent == ["decline:M1001:P3"]
    [received] = smtp.messages
    assert received["To"] == "alder@provider.example.org"
    assert received["Cc"] == "senior@provider.example.org"
    assert received["Subject"] == "Package M1001: we have recorded your decline"
    assert received["Message-ID"] == message_id(notice)
    assert smtp.handler.envelope_recipients == [
        ["alder@provider.example.org", "senior@provider.example.org"]
    ]
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == notice.body
    assert "<h1" in received.get_body(("html",)).get_content()
    notice.refresh_from_db()
    assert (notice.status, notice.sent_at, notice.attempts) == (NoticeStatus.SENT, NOW, 1)
    assert report.lines() == ["outbox: sent 1 notice(s)"]


def test_sent_notice_is_not_sent_again(smtp, council, package):
    """A later sweep finds nothing due: each notice leaves once."""
    queue(council, package, "decline:M1001:P3")
    queue(council, package, "decline:M1001:P4")
    assert len(deliver().sent) == 2
    later = deliver(NOW + timedelta(days=1))
    assert later.sent == [] and later.lines() == []
    assert len(smtp.messages) == 2


def test_message_id_is_the_same_for_the_same_council_and_key(council, package):
    """A resent copy carries the first copy's Message-ID, so a receiver can drop it."""
    notice = queue(council, package, "decline:M1001:P3")
    copy = Notice(council_id=council.pk, key="decline:M1001:P3")
    other_key = Notice(council_id=council.pk, key="decline:M1001:P4")
    other_council = Notice(council_id=council.pk + 1, key="decline:M1001:P3")
    assert message_id(notice) == message_id(copy)
    assert message_id(notice) not in (message_id(other_key), message_id(other_council))
    assert message_id(notice).startswith("<notice.") and message_id(notice).endswith(">")


def test_backoff_doubles_from_one_minute_up_to_an_hour():
    """Retries after 1, 2, 4, 8, 16, 32 minutes, then every hour."""
    waits = [backoff(attempts) for attempts in range(1, 10)]
    assert waits == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_refused_by_the_server_retries_with_backoff_then_arrives_once(smtp, council, package):
    """A 4xx from the server: the notice waits 1, then 2 minutes, and is sent exactly once
    when the server accepts again."""
    notice = queue(council, package, "decline:M1001:P3")
    smtp.handler.refuse = "451 4.3.0 Mailbox busy, try again later"

    first = deliver(NOW)
    assert first.retrying and "451" in first.retrying[0][1]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PENDING
    assert notice.attempts == 1
    assert notice.next_attempt_at == NOW + MINUTE
    assert "Mailbox busy" in notice.last_error

    assert deliver(NOW + 30 * timedelta(seconds=1)).lines() == []  # not due yet
    deliver(NOW + MINUTE)
    notice.refresh_from_db()
    assert (notice.attempts, notice.next_attempt_at) == (2, NOW + 3 * MINUTE)

    smtp.handler.refuse = None
    assert deliver(NOW + 3 * MINUTE).sent == ["decline:M1001:P3"]
    assert deliver(NOW + timedelta(hours=2)).sent == []
    assert smtp.message_ids() == {message_id(notice): 1}
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (NoticeStatus.SENT, 3, "")


def test_server_down_retries_then_arrives_once(smtp, council, package, settings):
    """Nothing listening (the server stopped): the error is kept, and the notice goes when
    the server is back."""
    notice = queue(council, package, "decline:M1001:P3")
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {**working["default"], "OPTIONS": {"host": "127.0.0.1", "port": free_port()}}
    }
    assert deliver(NOW).retrying
    notice.refresh_from_db()
    assert "ConnectionRefusedError" in notice.last_error
    settings.MAILERS = working
    assert deliver(NOW + MINUTE).sent == ["decline:M1001:P3"]
    assert len(smtp.messages) == 1


def test_notice_fails_for_good_after_the_last_attempt(smtp, council, package):
    """After MAX_ATTEMPTS refusals the notice is failed, reported, and left for a person."""
    notice = queue(council, package, "decline:M1001:P3")
    Notice.objects.filter(pk=notice.pk).update(attempts=MAX_ATTEMPTS - 1)
    smtp.handler.refuse = "550 5.1.1 No such mailbox"
    report = deliver()
    assert [key for key, _ in report.failed] == ["decline:M1001:P3"]
    assert report.lines() == [
        f"outbox: decline:M1001:P3 FAILED after {MAX_ATTEMPTS} attempts: "
        "SMTPDataError: (550, b'5.1.1 No such mailbox')"
    ]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    smtp.handler.refuse = None
    assert deliver(NOW + timedelta(days=1)).sent == []
    assert smtp.messages == []


def test_one_bad_notice_does_not_stop_the_others(smtp, council, package):
    """A notice that cannot be sent (a broken address) is retried; the rest still go."""
    queue(council, package, "decline:M1001:P1")
    bad = queue(council, package, "decline:M1001:P2")
    queue(council, package, "decline:M1001:P3")
    Notice.objects.filter(pk=bad.pk).update(to=["alder@provider.example.org\nBcc: x@y.org"])
    report = deliver()
    assert sorted(report.sent) == ["decline:M1001:P1", "decline:M1001:P3"]
    assert [key for key, _ in report.retrying] == ["decline:M1001:P2"]
    assert len(smtp.messages) == 2


def test_claim_takes_at_most_the_limit(smtp, council, package):
    """A pass sends at most `limit` notices; the next pass the rest."""
    for n in range(5):
        queue(council, package, f"decline:M1001:P{n}")
    assert len(deliver(limit=3).sent) == 3
    assert len(deliver(limit=3).sent) == 2
    assert len(smtp.message_ids()) == 5


def test_notice_held_by_a_live_worker_is_left_alone(smtp, council, package):
    """Another worker's lease still runs: not due, not sent."""
    notice = queue(council, package, "decline:M1001:P3")
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENDING, claimed_by="other:1", claimed_until=NOW + MINUTE
    )
    assert deliver().lines() == []
    assert smtp.messages == []


def test_expired_lease_is_taken_over_and_counted_as_an_attempt(smtp, council, package):
    """A worker died holding the notice: when its lease runs out another sends it, and the
    dead attempt counts (a notice that kills every worker still ends as failed)."""
    notice = queue(council, package, "decline:M1001:P3")
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENDING, claimed_by="dead:1", claimed_until=NOW
    )
    assert deliver().sent == ["decline:M1001:P3"]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (NoticeStatus.SENT, 2)
    assert len(smtp.messages) == 1


def test_notice_abandoned_too_often_fails_without_being_sent(smtp, council, package):
    """A lease run out on the last attempt: failed and reported, not sent again."""
    notice = queue(council, package, "decline:M1001:P3")
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENDING,
        claimed_by="dead:1",
        claimed_until=NOW,
        attempts=MAX_ATTEMPTS - 1,
    )
    report = deliver()
    assert [key for key, _ in report.failed] == ["decline:M1001:P3"]
    assert smtp.messages == []


@pytest.mark.django_db
def test_nothing_due_says_nothing(smtp):
    """An empty outbox: no lines, no connection to the server needed."""
    assert deliver().lines() == []


def test_slow_pass_stops_at_half_its_lease_and_leaves_the_rest(smtp, council, package, monkeypatch):
    """A worker must not send past its lease (another could take the notice over): once half
    of LEASE has passed the rest go back to the queue, unsent and not counted as attempts."""
    for n in range(3):
        queue(council, package, f"decline:M1001:P{n}")
    half = LEASE.total_seconds() / 2
    readings = iter([0.0, 1.0, half + 1, half + 2])  # start, before the 1st, before the 2nd
    monkeypatch.setattr(delivery, "monotonic", lambda: next(readings))
    report = deliver()
    assert report.sent == ["decline:M1001:P0"]
    assert report.released == 2
    assert report.lines()[-1] == "outbox: 2 notice(s) left for the next sweep"
    left = Notice.objects.exclude(status=NoticeStatus.SENT)
    assert {(n.status, n.attempts, n.claimed_until) for n in left} == {
        (NoticeStatus.PENDING, 0, None)
    }
    monkeypatch.undo()
    assert len(deliver().sent) == 2
    assert len(smtp.message_ids()) == 3


def test_attachment_arrives_over_smtp_with_its_name_type_and_bytes(smtp, council, package):
    """The batch report's .xlsx (docs/policies.md §4.2) travels with its notice: the SMTP server
    receives the file under its name, type and exact bytes, beside the text and HTML body."""
    content = b"PK\x03\x04 a made-up workbook \x00\xff"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with transaction.atomic():
        queue_notice(
            council=council,
            kind=NoticeKind.DECLINE_ACKNOWLEDGEMENT,
            key="decline:M1001:P9",
            to=["alder@provider.example.org"],
            context=SAMPLES[NoticeKind.DECLINE_ACKNOWLEDGEMENT],
            package=package,
            now=NOW,
            attachments=[("2026 11 23 North batch report.xlsx", content, xlsx)],
        )
    assert deliver().sent == ["decline:M1001:P9"]
    [received] = smtp.messages
    [attached] = list(received.iter_attachments())
    assert attached.get_filename() == "2026 11 23 North batch report.xlsx"
    assert attached.get_content_type() == xlsx
    assert attached.get_content() == content
    assert "recorded that you declined" in received.get_body(("plain",)).get_content()


def test_attachment_that_is_not_bytes_is_refused_and_nothing_queued(council, package):
    """queue_notice names the attachment that is wrong and writes no notice."""
    refused = pytest.raises(NoticeError, match=r"attachments\[1\] a.xlsx: .*bytes")
    with refused, transaction.atomic():
        queue_notice(
            council=council,
            kind=NoticeKind.DECLINE_ACKNOWLEDGEMENT,
            key="decline:M1001:P8",
            to=["alder@provider.example.org"],
            context=SAMPLES[NoticeKind.DECLINE_ACKNOWLEDGEMENT],
            package=package,
            now=NOW,
            attachments=[("a.xlsx", "not bytes", "application/octet-stream")],
        )
    assert not Notice.objects.filter(key="decline:M1001:P8").exists()
