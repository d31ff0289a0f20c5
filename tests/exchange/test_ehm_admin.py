"""EHM returns and email replies in the admin: read only, each broker sees their own council's."""

from datetime import UTC, date, datetime

from django.test import Client
from django.urls import reverse

from carebroker.accounts.models import Role
from carebroker.exchange.models import EhmSubmission, InboundReply
from tests.factories import make_council, make_provider, make_user


def _submission(council) -> EhmSubmission:
    return EhmSubmission.objects.create(
        council=council,
        provider=make_provider(council),
        period_start=date(2026, 1, 5),
        period_end=date(2026, 1, 30),
        received_at=datetime(2026, 2, 2, 9, 0, tzinfo=UTC),
        file_name="ehm.csv",
        file_sha256="0" * 64,
        late_after_minutes=15,
        short_by_minutes=5,
        planned_visits=10,
        delivered_visits=9,
        late_visits=1,
        missed_visits=1,
        short_visits=0,
    )


def test_a_broker_sees_only_their_councils_ehm_returns_and_cannot_change_them(essex):
    """The changelist lists the broker's council's returns only; the change page is read only
    and there is no add page."""
    own = _submission(essex)
    _submission(make_council("kent-oppd"))
    client = Client()
    client.force_login(make_user(essex, Role.BROKER, is_staff=True))

    listing = client.get(reverse("admin:exchange_ehmsubmission_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [own]

    page = client.get(reverse("admin:exchange_ehmsubmission_change", args=[own.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(reverse("admin:exchange_ehmsubmission_add")).status_code == 403


def _reply(council, message_id: str, status: str = "queued") -> InboundReply:
    return InboundReply.objects.create(
        council=council,
        message_id=message_id,
        received_at=datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
        read_at=datetime(2026, 11, 24, 11, 5, tzinfo=UTC),
        sender="casey@alder.example.org",
        subject="Re: M4001",
        text="Yes we can.",
        status=status,
        reason="M4001: a full offer without its hourly rate",
    )


def test_broker_sees_own_councils_reply_queue_and_can_dismiss_a_queued_reply(essex):
    """The broker's queue of email replies: their council's only; dismissing a queued
    reply marks it dismissed and leaves a recorded one as it was."""
    queued = _reply(essex, "<a@x>")
    recorded = _reply(essex, "<b@x>", status="recorded")
    _reply(make_council("kent-oppd"), "<c@x>")
    client = Client()
    client.force_login(make_user(essex, Role.BROKER, is_staff=True))
    url = reverse("admin:exchange_inboundreply_changelist")
    listing = client.get(url)
    assert listing.status_code == 200
    assert set(listing.context["cl"].result_list) == {queued, recorded}
    client.post(url, {"action": "dismiss", "_selected_action": [queued.pk, recorded.pk]})
    queued.refresh_from_db()
    recorded.refresh_from_db()
    assert (queued.status, recorded.status) == ("dismissed", "recorded")
