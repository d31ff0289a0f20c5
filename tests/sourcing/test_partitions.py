"""The timeline and the notices partitioned by month on PostgreSQL (sourcing 0012, outbox 0011,
sourcing/partitions.py, docs/deployment.md): a month is made ahead and takes its rows from
the default partition; old months are detached and archived with the rows pointing at them;
afterwards the app still reads, writes and sends, and an archived notice's key is never
queued again. PostgreSQL only (the marker: deselected on SQLite, where nothing is
partitioned, never skipped)."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from carebroker.api.models import WebhookDelivery, WebhookEndpoint
from carebroker.outbox.delivery import deliver_due
from carebroker.outbox.models import Notice, NoticeAttachment, NoticeKind
from carebroker.outbox.notices import PendingNotice, queue_notice, queue_notices
from carebroker.sourcing import partitions
from carebroker.sourcing.models import TimelineEvent
from tests.factories import make_council, make_package
from tests.outbox.samples import SAMPLES
from tests.outbox.smtp import SmtpServer

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

OLD = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)  # a month to archive
KEPT = datetime(2025, 2, 10, 10, 0, tzinfo=UTC)  # the next, kept
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, Django's mailer pointed at it (as tests/outbox)."""
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def _queue(council, package, key, now, attachments=()):
    with transaction.atomic():
        return queue_notice(
            council=council,
            kind=NoticeKind.CHASE,
            key=key,
            to=["alder@provider.example.org"],
            context={**SAMPLES[NoticeKind.CHASE], "mosaic_id": package.case_number},
            package=package,
            now=now,
            attachments=attachments,
        )


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (the test's own names)
        return cursor.fetchone()[0]


def _partition_of(model, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def test_old_months_are_archived_and_the_app_still_reads_writes_and_sends(smtp):
    council = make_council("kent-oppd")
    package = make_package(council, case_number="M1001")
    old_event = TimelineEvent.objects.create(package=package, at=OLD, type="old")
    kept_event = TimelineEvent.objects.create(package=package, at=KEPT, type="kept")
    old_notice = _queue(council, package, "chase:M1001:P1", OLD, [("a.txt", b"old", "text/plain")])
    _queue(council, package, "chase:M1001:P2", KEPT)
    endpoint = WebhookEndpoint.objects.create(
        council=council, url="https://cms.example.org/hook", secret="s", created_at=OLD
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=old_event, next_attempt_at=OLD, created_at=OLD
    )
    # Months older than the migration's: their rows wait in the default partition ...
    assert _partition_of(TimelineEvent, old_event.pk) == "sourcing_timelineevent_default"
    # ... until their month is made, which moves them into it.
    made = partitions.partitions_ahead(OLD, ahead=1)
    assert made == [
        "made sourcing_timelineevent_p202501",
        "made sourcing_timelineevent_p202502",
        "made outbox_notice_p202501",
        "made outbox_notice_p202502",
    ]
    assert _partition_of(TimelineEvent, old_event.pk) == "sourcing_timelineevent_p202501"
    assert _partition_of(Notice, old_notice.pk) == "outbox_notice_p202501"
    assert partitions.partitions_ahead(OLD, ahead=1) == []  # made once

    lines = partitions.archive_before(date(2025, 2, 1), NOW)

    assert lines == [
        "archived sourcing_timelineevent_p202501 as archive.sourcing_timelineevent_p202501",
        "  with 1 rows of api_webhookdelivery",
        "archived outbox_notice_p202501 as archive.outbox_notice_p202501",
        "  with 1 rows of outbox_noticeattachment",
    ]
    # Gone from the app, kept in the archive schema with what pointed at them.
    assert list(TimelineEvent.objects.values_list("type", flat=True)) == ["kept"]
    assert list(Notice.objects.values_list("key", flat=True)) == ["chase:M1001:P2"]
    assert not WebhookDelivery.objects.exists() and not NoticeAttachment.objects.exists()
    assert _rows("archive.sourcing_timelineevent_p202501") == 1
    assert _rows("archive.outbox_notice_p202501") == 1
    assert _rows("archive.api_webhookdelivery_sourcing_timelineevent_p202501") == 1
    assert _rows("archive.outbox_noticeattachment_outbox_notice_p202501") == 1

    # The app still reads and writes both tables, in a month made ahead and in the default.
    TimelineEvent.objects.create(package=package, at=NOW, type="after")
    assert kept_event in package.timeline.all()
    assert package.timeline.count() == 2
    assert _queue(council, package, "chase:M1001:P3", NOW) is not None
    # An archived notice's key stays taken: queued again, it is not a second notice.
    assert _queue(council, package, "chase:M1001:P1", NOW) is None
    assert sorted(Notice.objects.values_list("key", flat=True)) == [
        "chase:M1001:P2",
        "chase:M1001:P3",
    ]
    # The worker's bulk path too: the archived key left out, the new one written.
    pending = [
        PendingNotice.checked(
            council=council,
            kind=NoticeKind.CHASE,
            key=key,
            to=["alder@provider.example.org"],
            context={**SAMPLES[NoticeKind.CHASE], "mosaic_id": package.case_number},
            package=package,
            now=NOW,
        )
        for key in ("chase:M1001:P1", "chase:M1001:P4")
    ]
    with transaction.atomic():
        assert queue_notices(pending) == 1
    report = deliver_due(NOW, worker_id="test-worker")
    assert sorted(report.sent) == ["chase:M1001:P2", "chase:M1001:P3", "chase:M1001:P4"]
    assert len(smtp.messages) == 3


def test_a_notice_key_is_unique_across_months():
    """The uniqueness the partitioned table cannot hold (it would need the month in it) is
    held by the table of keys: the same key a month later is refused."""
    council = make_council("kent-oppd")
    package = make_package(council, case_number="M1001")
    _queue(council, package, "chase:M1001:P1", OLD)
    copy = Notice.objects.get()
    copy.pk, copy.created_at = None, KEPT
    with pytest.raises(IntegrityError, match="notice_unique_key"), transaction.atomic():
        copy.save()
    # A notice saved again (Django writes every column, the key unchanged) is not refused.
    notice = Notice.objects.get()
    notice.attempts = 1
    notice.save()
    assert Notice.objects.get().attempts == 1


def test_archiving_this_month_or_later_is_refused_by_the_command():
    with pytest.raises(CommandError, match="2026-12 is not a past month"):
        call_command("partitions", "--archive-before", "2026-12", "--now", "2026-11-23 09:30")
