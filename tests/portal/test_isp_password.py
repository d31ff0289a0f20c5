"""Issue 11 finding 5: the ISP goes out attached to its notice (docs/policies.md §4.2 offer
round), encrypted with its own password; the email promises no password message and never
carries the password; the provider's own users see it once in the portal, beside the file."""

from datetime import UTC, datetime

import pytest
from auditlog.models import LogEntry

from carebroker.outbox.models import Notice
from carebroker.placements.models import PlacementDocument
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest
from tests.factories import make_user
from tests.portal.worlds import essex_batch

pytestmark = pytest.mark.django_db


def _isp_sent(signed_in, clock):
    world = essex_batch(["CO4 3SQ"])
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    row = SourcingRequest.objects.get(package=world.packages[0], provider=world.provider_a)
    signed_in(world.user_a).post("/portal/", {"requests": [row.pk]})
    advance_due(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # the offer round: the ISP
    return world


def test_the_isp_is_attached_and_its_password_never_emailed(signed_in, clock):
    world = _isp_sent(signed_in, clock)
    notice = Notice.objects.get(kind="isp_sent", package=world.packages[0])
    [attachment] = notice.attachments.all()
    assert attachment.filename.endswith(f"ISP for {world.provider_a.name}.pdf")
    kept = PlacementDocument.objects.get(package=world.packages[0], kind="isp")
    assert (kept.provider, kept.encrypted) == (world.provider_a, True)
    assert bytes(attachment.content) == bytes(kept.content)
    password = kept.password
    assert password not in notice.body
    assert "separate message" not in notice.body
    assert not Notice.objects.filter(body__contains=password).exists()


def test_the_password_is_shown_once_to_the_providers_own_user(signed_in, clock):
    world = _isp_sent(signed_in, clock)
    document = PlacementDocument.objects.get(package=world.packages[0], kind="isp")
    password = document.password
    url = f"/portal/documents/{document.pk}/password/"
    clock.now = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    # Birch was sent no ISP: Alder's document is not found for it.
    other = signed_in(world.user_b).post(url)
    assert other.status_code == 404
    assert password not in other.content.decode()
    page = signed_in(world.user_a).get("/portal/documents/").content.decode()
    assert "Show its password once" in page
    assert password not in page
    shown = signed_in(world.user_a).post(url)
    assert shown.status_code == 200
    assert password in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    colleague = make_user(world.council, world.user_a.role, provider=world.provider_a)
    again = signed_in(colleague).post(url, follow=True)
    assert password not in again.content.decode()
    assert "already been shown" in again.content.decode()
    later = signed_in(colleague).get("/portal/documents/").content.decode()
    assert "Password shown to" in later
    assert password not in later
    # Who saw it is in the access log; the password itself is nowhere in the log.
    seen = LogEntry.objects.filter(object_pk=str(document.pk), action=LogEntry.Action.ACCESS)
    assert any("password" in str(e.additional_data) for e in seen)
    assert not any(
        password in str(e.changes) + str(e.additional_data) for e in LogEntry.objects.all()
    )
