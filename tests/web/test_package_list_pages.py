"""The broker's package list pages by keyset (issue 14; carebroker/web/keyset.py): following
Next (or Previous) shows every package once, in the sort's order, even when packages are
added between two pages; a link that does not read is the first page."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.models import Package
from tests.factories import make_council, make_package, make_person, make_referral, make_user
from tests.web.pages import client_for, clock, link_of, main_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
SORTS = ["longest", "shortest", "name", "start", "mosaic"]


def _package(council, n: int):
    """Package n: ties on every sort key but the Mosaic ID (acceptance repeats every 7, names
    every 5, starts every 3), and every ninth not accepted yet (no days waiting: last)."""
    accepted = None if n % 9 == 0 else NOW - timedelta(days=1 + n % 7)
    person = make_person(council, name=f"Person {chr(65 + n % 5)}")
    referral = make_referral(
        council,
        person=person,
        status=ReferralStatus.ACCEPTED if accepted else ReferralStatus.RECEIVED,
        accepted_at=accepted,
    )
    return make_package(
        council,
        case_number=f"{7000 + n * 7 % 1000}",
        referral=referral,
        preferred_start=date(2026, 12, 1) + timedelta(days=n % 3),
    )


def _shown(page: str) -> list[str]:
    return re.findall(r'data-package="([^"]+)"', page)


def _walk(client, link: str, rel: str, between=None) -> list[str]:
    """Each page's main from `link` on, following its `rel` link ("next" or "prev") until a
    page has none; `between()` runs after each page is read."""
    pages = []
    while link:
        page = main_of(client.get(f"/packages/{link}"))
        pages.append(page)
        link = link_of(page, rel)
        if between is not None:
            between()
    return pages


def _expected_order(council, sort: str) -> list[str]:
    """The whole list in the sort's order, as the database sorts it (nulls last)."""
    from django.db.models import F

    accepted = F("referral__accepted_at")
    orders = {
        "longest": (accepted.asc(nulls_last=True), "case_number"),
        "shortest": (accepted.desc(nulls_last=True), "case_number"),
        "name": ("person__name", "case_number"),
        "start": ("preferred_start", "case_number"),
        "mosaic": ("case_number",),
    }
    rows = Package.objects.filter(council=council).order_by(*orders[sort])
    return list(rows.values_list("case_number", flat=True))


@pytest.mark.parametrize("sort", SORTS)
def test_following_next_shows_every_package_once_in_order(sort):
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(120):
        _package(council, n)
    client = client_for(broker)
    seen: list[str] = []
    with clock(NOW):
        pages = _walk(client, f"?sort={sort}", "next")
    for page in pages:
        rows = _shown(page)
        assert 0 < len(rows) <= 50
        if seen:
            assert f"Showing {len(seen) + 1} to {len(seen) + len(rows)} of 120" in page
        seen += rows
    assert seen == _expected_order(council, sort)


@pytest.mark.parametrize("sort", SORTS)
def test_following_previous_from_the_last_page_shows_the_same_pages(sort):
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(120):
        _package(council, n)
    client = client_for(broker)
    with clock(NOW):
        forwards = _walk(client, f"?sort={sort}", "next")
        backwards = [forwards[-1], *_walk(client, link_of(forwards[-1], "prev"), "prev")]
    assert [len(_shown(page)) for page in forwards] == [50, 50, 20]
    assert [_shown(page) for page in backwards[::-1]] == [_shown(page) for page in forwards]
    assert 'rel="prev"' not in backwards[-1]  # the first page again: nothing before it


@pytest.mark.parametrize("sort", SORTS)
def test_packages_added_between_pages_neither_repeat_nor_hide_a_row(sort):
    """With an offset, a package added before the page boundary pushes the boundary's row onto
    the next page again. By keyset, every package there at the start is shown once, and each
    one added sorts where its values put it: shown if after the boundary."""
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(100):
        _package(council, n)
    before = set(_expected_order(council, sort))
    client = client_for(broker)
    added = 0

    def add_seven() -> None:  # between pages: packages sorting all over the list
        nonlocal added
        for _ in range(7):
            _package(council, 100 + added)
            added += 1

    with clock(NOW):
        seen = [case for page in _walk(client, f"?sort={sort}", "next", add_seven)
                for case in _shown(page)]  # fmt: skip
    assert len(seen) == len(set(seen)), "a package was shown twice"
    assert before <= set(seen), f"never shown: {sorted(before - set(seen))}"
    everything = _expected_order(council, sort)
    assert seen == [case for case in everything if case in set(seen)]  # in order


def test_a_page_link_that_does_not_read_is_the_first_page():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(60):
        _package(council, n)
    client = client_for(broker)
    with clock(NOW):
        first = _shown(main_of(client.get("/packages/")))
        for bad in ("not-a-token", "W10", "WyJ4Il0", "WyIyMDI2LTEzLTQwIiwgIjcwMDAiXQ"):
            response = client.get("/packages/", {"after": bad})
            assert response.status_code == 200
            assert _shown(main_of(response)) == first


def test_changing_the_sort_starts_at_the_first_page():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(60):
        _package(council, n)
    client = client_for(broker)
    with clock(NOW):
        following = link_of(main_of(client.get("/packages/")), "next")
        second = main_of(client.get(f"/packages/{following}"))
    sort_links = re.findall(r'href="\?([^"]*sort=name[^"]*)"', second)
    assert sort_links and all("after=" not in link for link in sort_links)


def test_the_first_page_says_how_many_packages_unfiltered_and_filtered():
    """Unfiltered, the first page takes its total from the counts at the top (no count of its
    own, issue 14); filtered, it counts its rows: both say how many the list holds."""
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    for n in range(120):
        _package(council, n)
    client = client_for(broker)
    with clock(NOW):
        unfiltered = main_of(client.get("/packages/?sort=mosaic"))
        named = main_of(client.get("/packages/?sort=mosaic&q=Person+B"))
    assert "Showing 1 to 50 of 120 packages" in unfiltered
    assert 'data-count="all">120<' in unfiltered
    assert re.search(r">\s*24 packages\s*<", named)  # names repeat every 5
    assert len(_shown(named)) == 24
