"""The outbox in the admin: staff see their own council's notices, read only; a failed
notice can be sent again."""

import pytest
from django.db import transaction
from django.urls import reverse

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus
from carebroker.outbox.notices import queue_notice
from tests.factories import make_council, make_package, make_user
from tests.outbox.conftest import NOW
from tests.outbox.samples import SAMPLES


def queued(council, key):
    with transaction.atomic():
        return queue_notice(
            council=council,
            kind=NoticeKind.AWARD,
            key=key,
            to=["alder@provider.example.org"],
            context=SAMPLES[NoticeKind.AWARD],
            package=make_package(council),
            now=NOW,
        )


@pytest.fixture
def broker_client(client, council):
    client.force_login(make_user(council, Role.BROKER, is_staff=True))
    return client


def test_broker_sees_own_councils_notices_only(broker_client, council):
    """The changelist lists this council's notices, never another council's."""
    ours = queued(council, "award:ours")
    theirs = queued(make_council("essex-lah"), "award:theirs")
    page = broker_client.get(reverse("admin:outbox_notice_changelist"))
    assert page.status_code == 200
    shown = {notice.pk for notice in page.context["cl"].result_list}
    assert shown == {ours.pk}
    assert theirs.pk not in shown


def test_notice_is_read_only_in_the_admin(broker_client, council):
    """Notices are written by the change that caused them: no add, no edit, no delete."""
    notice = queued(council, "award:ours")
    change = broker_client.get(reverse("admin:outbox_notice_change", args=[notice.pk]))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert broker_client.get(reverse("admin:outbox_notice_add")).status_code == 403
    delete = broker_client.get(reverse("admin:outbox_notice_delete", args=[notice.pk]))
    assert delete.status_code == 403


def test_failed_notice_can_be_sent_again(broker_client, council):
    """ "Send again" puts failed notices back in the queue; sent ones are left alone."""
    failed = queued(council, "award:failed")
    sent = queued(council, "award:sent")
    Notice.objects.filter(pk=failed.pk).update(status=NoticeStatus.FAILED, attempts=10)
    Notice.objects.filter(pk=sent.pk).update(status=NoticeStatus.SENT)
    broker_client.post(
        reverse("admin:outbox_notice_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
    )
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == (NoticeStatus.PENDING, 0)
    assert sent.status == NoticeStatus.SENT
