"""The staff navigation and home counts (issue 10 items 4 and 9): links only to pages the user
may open, "Today's batch" only where the policy issues one, and counts that agree."""

import re

import pytest
from django.test import Client

from carebroker.accounts.models import User
from tests.web.conftest import NOW
from tests.web.pages import clock


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _navigation(page: str) -> list[str]:
    nav = re.search(
        r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', page, re.S
    )
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize(
    "username",
    ["admin", "essex-broker", "kent-manager", "leics-broker", "kent-referrer", "leics-provider"],
)
def test_every_navigation_link_opens(demo, db, username):
    """No navigation link answers 403 or 404 (the admin user used to get four 403s)."""
    client = _client(username)
    with clock(NOW):
        links = _navigation(client.get("/").content.decode())
        assert links
        for link in links:
            if link.startswith("/admin/"):
                continue  # the Django admin, shown to staff only
            assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("username", "batch"),
    [
        ("essex-broker", True),
        ("kent-broker", False),
        ("leics-broker", False),
        ("kent-manager", False),
    ],
)
def test_only_a_council_that_issues_a_batch_sees_todays_batch(demo, db, username, batch):
    client = _client(username)
    with clock(NOW):
        page = client.get("/").content.decode()
    assert ("/batch/" in _navigation(page)) == batch
    assert ("Today&#x27;s batch" in page or "Today's batch" in page) == batch


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
def test_home_waiting_count_is_the_waiting_list_count(demo, db, prefix):
    """The manager's home and the waiting list count the same packages."""
    client = _client(f"{prefix}-manager")
    with clock(NOW):
        home = client.get("/").content.decode()
        waiting = client.get("/waiting/").content.decode()
    home_count = re.search(r'data-count="waiting">(\d+)<', home).group(1)
    list_count = re.search(r'data-count="all">(\d+)<', waiting).group(1)
    assert home_count == list_count


def test_the_package_list_says_how_many_rows_it_shows(demo, db):
    """ "Showing 1 to 50 of N packages": the caption never claims more rows than are shown."""
    client = _client("essex-broker")
    with clock(NOW):
        page = client.get("/packages/").content.decode()
    rows = page.count("data-package=")
    caption = re.search(r"Showing 1 to (\d+) of (\d+) packages", page)
    assert caption is not None
    assert int(caption.group(1)) == rows
    assert int(caption.group(2)) > rows


def test_the_batch_page_names_the_batch_once(demo, db):
    """Not "The batch batch issues at 16:00" (issue 10 item 3)."""
    with clock(NOW):
        page = _client("essex-broker").get("/batch/").content.decode()
    assert "batch batch" not in page
    assert "Today&#x27;s batch issues at" in page or "Today's batch issues at" in page
