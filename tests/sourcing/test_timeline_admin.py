"""The timeline is append-only; the admin shows requests and events, never edits them."""

import pytest

from carebroker.accounts.models import Role
from carebroker.sourcing.models import TimelineEvent
from tests.factories import PASSWORD, make_user
from tests.sourcing.kent import kent_cluster

pytestmark = pytest.mark.django_db


def test_a_timeline_event_cannot_be_changed_once_written():
    """docs/architecture.md §5: everything that happens is a new event; history is not rewritten."""
    kent = kent_cluster()
    event = TimelineEvent.objects.filter(package=kent.packages[0]).first()
    event.type = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert TimelineEvent.objects.filter(type="rewritten").count() == 0


def test_package_admin_shows_requests_and_timeline_read_only(client):
    """A broker of the council sees the package's requests and events, with no way to add,
    change or delete them."""
    kent = kent_cluster()
    package = kent.packages[0]
    broker = make_user(kent.council, Role.BROKER, is_staff=True)
    client.login(username=broker.username, password=PASSWORD)
    page = client.get(f"/admin/sourcing/package/{package.pk}/change/").content.decode()
    assert "referral_checked" in page and "request_sent" in page
    assert "cluster" in page  # the request's stage
    assert 'name="timeline-TOTAL_FORMS"' in page
    assert "timeline-0-type" not in page  # shown as text, not as a field
    assert "timeline-0-DELETE" not in page and "requests-0-DELETE" not in page
    assert "requests-0-outcome" not in page
