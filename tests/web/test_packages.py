"""The broker's "Packages to be placed": who may see it, its filters, sorting, counts, pages,
and a number of queries that does not grow with the rows shown."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.models import PackageStatus
from tests.factories import make_area, make_council, make_package, make_referral, make_user
from tests.web.pages import QueryCounter, client_for, clock, link_of, main_of

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026, 11:00 in London.
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def _accepted(council, days_ago: int, area=None, **fields):
    """A package whose referral was accepted `days_ago` calendar days before NOW."""
    referral = make_referral(
        council, status=ReferralStatus.ACCEPTED, accepted_at=NOW - timedelta(days=days_ago)
    )
    return make_package(council, referral=referral, area=area, **fields)


def _shown(page: str) -> list[str]:
    import re

    return re.findall(r'data-package="([^"]+)"', page)


def test_broker_sees_own_councils_packages_to_be_placed_only():
    """Live packages (being sourced, on hold) of the broker's council are listed; an awarded
    one and another council's are not."""
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    sourcing = _accepted(council, 1)
    held = _accepted(council, 2, status=PackageStatus.ON_HOLD, gate="later_start")
    awarded = _accepted(council, 3, status=PackageStatus.AWARDED)
    elsewhere = _accepted(make_council("kent-oppd"), 1)
    with clock(NOW):
        page = main_of(client_for(broker).get("/packages/"))
    shown = _shown(page)
    assert sorted(shown) == sorted([sourcing.case_number, held.case_number])
    assert awarded.case_number not in shown and elsewhere.case_number not in page
    assert 'data-count="all">2<' in page
    assert 'data-count="on_hold">1<' in page


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PROVIDER, Role.INTEGRATION])
def test_packages_list_refuses_roles_other_than_broker_and_manager(role):
    """Only brokers and managers see packages: any other role gets 403."""
    council = make_council("essex-lah")
    assert client_for(make_user(council, role)).get("/packages/").status_code == 403


def test_packages_list_sends_a_visitor_to_sign_in():
    from django.test import Client

    response = Client().get("/packages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_filter_by_area_and_urgency_is_a_shareable_get():
    """Filters are GET parameters: area and urgency narrow the list."""
    council = make_council("essex-lah")
    broker = make_user(council, Role.BROKER)
    north = make_area(council, "North", districts=["CO4"])
    mid = make_area(council, "Mid", districts=["CM1"])
    urgent_north = _accepted(council, 1, area=north, urgent=True)
    routine_north = _accepted(council, 1, area=north)
    routine_mid = _accepted(council, 1, area=mid)
    client = client_for(broker)
    with clock(NOW):
        by_area = _shown(main_of(client.get(f"/packages/?area={north.pk}")))
        urgent = _shown(main_of(client.get(f"/packages/?area={north.pk}&urgency=urgent")))
        routine = _shown(main_of(client.get("/packages/?urgency=routine")))
    assert sorted(by_area) == sorted([urgent_north.case_number, routine_north.case_number])
    assert urgent == [urgent_north.case_number]
    assert sorted(routine) == sorted([routine_north.case_number, routine_mid.case_number])


def test_filter_by_stage_and_status():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    cluster = _accepted(council, 1, stage="cluster")
    other = _accepted(council, 1, stage="other_contracted")
    held = _accepted(council, 1, stage="cluster", status=PackageStatus.ON_HOLD)
    client = client_for(broker)
    with clock(NOW):
        by_stage = _shown(main_of(client.get("/packages/?stage=cluster")))
        by_status = _shown(main_of(client.get("/packages/?status=on_hold")))
    assert sorted(by_stage) == sorted([cluster.case_number, held.case_number])
    assert other.case_number not in by_stage
    assert by_status == [held.case_number]


def test_kent_rag_filter_uses_working_days_since_acceptance():
    """§5 Kent: green under 5 working days, amber from 5, red from 10. Accepted 2, 9 and 16
    calendar days before Wednesday 25 November: 2, 7 and 12 working days waiting."""
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    green = _accepted(council, 2)
    amber = _accepted(council, 9)
    red = _accepted(council, 16)
    client = client_for(broker)
    with clock(NOW):
        page = main_of(client.get("/packages/"))
        only = {
            rag: _shown(main_of(client.get(f"/packages/?rag={rag}")))
            for rag in ("green", "amber", "red")
        }  # noqa: E501
    assert only == {
        "green": [green.case_number],
        "amber": [amber.case_number],
        "red": [red.case_number],
    }
    assert 'data-count="red">1<' in page and 'data-count="amber">1<' in page
    assert f'data-package="{red.case_number}"' in page
    assert 'data-days="12"' in page and 'data-days="7"' in page and 'data-days="2"' in page
    assert ">Red</strong>" in page and ">Amber</strong>" in page  # a word, not colour alone


def test_sorted_longest_waiting_first_or_shortest_first():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    middle = _accepted(council, 5)
    oldest = _accepted(council, 12)
    newest = _accepted(council, 1)
    client = client_for(broker)
    with clock(NOW):
        longest = _shown(main_of(client.get("/packages/")))
        shortest = _shown(main_of(client.get("/packages/?sort=shortest")))
    expected = [oldest.case_number, middle.case_number, newest.case_number]
    assert longest == expected
    assert shortest == expected[::-1]


def test_list_is_paged_fifty_a_page_keeping_the_filters():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    area = make_area(council, "Ashford A")
    for days in range(55):
        _accepted(council, days % 20, area=area)
    client = client_for(broker)
    with clock(NOW):
        first = main_of(client.get(f"/packages/?area={area.pk}"))
        following = link_of(first, "next")
        second = main_of(client.get(f"/packages/{following}"))
    assert len(_shown(first)) == 50
    assert len(_shown(second)) == 5
    assert following.startswith(f"?area={area.pk}&after=")
    assert not set(_shown(first)) & set(_shown(second))
    assert "Showing 51 to 55 of 55 packages" in second


def _list_with(rows: int):
    """A Kent broker's client and the list URL (filtered and sorted) showing `rows` rows."""
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    north = make_area(council, "Ashford A")
    for n in range(rows):
        _accepted(council, n % 15, area=north, urgent=n % 3 == 0)
    client = client_for(broker)
    client.get("/packages/")  # the session row is read once per request anyway: warm it
    return client, f"/packages/?sort=longest&area={north.pk}&status=sourcing"


def test_list_queries_do_not_grow_with_the_rows(django_assert_max_num_queries):
    """5 packages or 50 shown: the same number of queries (session, user, areas, counts,
    page count, rows: each row's area, referral and person come with it; and the session's
    write of the filters, kept so they survive navigation)."""
    client, url = _list_with(5)
    with clock(NOW), QueryCounter() as few:
        assert len(_shown(main_of(client.get(url)))) == 5
    assert few.count <= 11
    client, url = _list_with(50)
    with clock(NOW), django_assert_max_num_queries(num=few.count):
        assert len(_shown(main_of(client.get(url)))) == 50
