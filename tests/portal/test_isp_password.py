"""Issue 11 finding 5: the ISP goes out attached to its notice (docs/policies.md §4.2 offer
round), encrypted with the provider's document password; the email promises no password
message and never carries the password; the provider's own users see it once in the portal."""

from datetime import UTC, datetime

import pytest

from carebroker.outbox.models import Notice
from carebroker.placements.models import PlacementDocument, ProviderDocumentPassword
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
    password = ProviderDocumentPassword.objects.get(provider=world.provider_a).password
    assert password not in notice.body
    assert "separate message" not in notice.body
    assert not Notice.objects.filter(body__contains=password).exists()


def test_the_password_is_shown_once_to_the_providers_own_user(signed_in, clock):
    world = _isp_sent(signed_in, clock)
    password = ProviderDocumentPassword.objects.get(provider=world.provider_a).password
    clock.now = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    # Birch was sent no ISP: it has no password, and never sees Alder's.
    other = signed_in(world.user_b).post("/portal/documents/password/", follow=True)
    assert password not in other.content.decode()
    page = signed_in(world.user_a).get("/portal/documents/").content.decode()
    assert "Show the document password once" in page
    assert password not in page
    shown = signed_in(world.user_a).post("/portal/documents/password/")
    assert shown.status_code == 200
    assert password in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    colleague = make_user(world.council, world.user_a.role, provider=world.provider_a)
    again = signed_in(colleague).post("/portal/documents/password/", follow=True)
    assert password not in again.content.decode()
    assert "already been shown" in again.content.decode()
    later = signed_in(colleague).get("/portal/documents/").content.decode()
    assert "was shown to" in later
    assert password not in later
