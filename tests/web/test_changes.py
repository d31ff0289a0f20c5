"""A broker's "what changed since I last looked" (issue 10, beyond the findings): answers,
what ran out and what needs the council on the council's packages; the header's count; the
page marks them seen."""

import re
from datetime import timedelta

from django.test import Client

from carebroker.accounts.models import User
from carebroker.sourcing.models import TimelineEvent
from carebroker.web.views.changes import TYPES
from tests.web.conftest import NOW
from tests.web.pages import clock


def _count(client: Client) -> int:
    fragment = client.get("/changes/count/").content.decode()
    return int(re.search(r'data-changes="(\d+)"', fragment).group(1))


def test_the_count_is_the_days_changes_and_opening_the_page_clears_it(demo, db):
    client = Client()
    client.force_login(User.objects.get(username="kent-broker"))
    expected = TimelineEvent.objects.filter(
        package__council__slug="demo-kent", type__in=TYPES, at__gt=NOW - timedelta(days=1)
    ).count()
    assert expected > 0
    with clock(NOW):
        assert _count(client) == expected
        page = client.get("/changes/").content.decode()
        assert f"{expected} change" in page
        for title in ("Providers answered", "Ran out", "Needs the council"):
            assert title in page
    with clock(NOW + timedelta(minutes=1)):
        assert _count(client) == 0
        assert "Nothing new" in client.get("/changes/").content.decode()


def test_another_councils_changes_are_never_counted(demo, db):
    client = Client()
    client.force_login(User.objects.get(username="leics-broker"))
    kent = TimelineEvent.objects.filter(package__council__slug="demo-kent").first()
    with clock(NOW):
        page = client.get("/changes/").content.decode()
    assert f"Package {kent.package.case_number}" not in page
