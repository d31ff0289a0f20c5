"""The waiting list's readers count days waiting from when a package started waiting
(docs/policies.md §5 Self-funders leaving enablement: "its waiting-list clock counts from
[the grace end], not from the referral") and never count a self-funder in its grace: the
waiting page and its counts, the home page's count, the broker list's RAG filter and sort,
the dashboard's waiting list by RAG and Kent's list of people waiting 10 working days.

Two Kent packages checked at the same moment through the write path: one for a person who
is not a self-funder, and one for a self-funder whose grace ends 5 working days later."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from carebroker.reports import kent
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.figures import Scope, long_waits, waiting_by_rag
from carebroker.reports.filters import Filters
from carebroker.sourcing import runner
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from carebroker.web.summaries import packages_waiting
from tests.factories import make_package, make_referral
from tests.sourcing.kent import DOCUMENTS, NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db

# Checked Monday 23 November 2026 10:00; the self-funder's grace ends Monday 30 November.
GRACE_ENDS = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# Friday 11 December, noon: 14 working days since the acceptance, 9 since the grace ended.
LATER = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)


@pytest.fixture
def two():  # noqa: ANN201
    kent_ = kent_cluster()
    (ordinary,) = kent_.packages
    referral = make_referral(kent_.council, documents=DOCUMENTS, self_funder=True)
    funder = make_package(kent_.council, referral=referral, area=kent_.council.areas.get())
    do_submit_referral(referral, NOW)
    funder.refresh_from_db()
    return kent_, ordinary, funder


def _listed(html: str) -> list[str]:
    return re.findall(r'data-package="([^"]+)"', html)


def test_a_self_funder_in_its_grace_is_not_on_the_waiting_list_nor_counted(two):
    kent_, ordinary, funder = two
    during = NOW + timedelta(days=2)
    assert funder.status in ("sourcing", "held") and ordinary.waiting_from == NOW
    assert packages_waiting(kent_.council) == 1
    with clock(during):
        page = main_of(client_for(kent_.manager).get("/waiting/"))
        green = main_of(client_for(kent_.broker).get("/packages/?rag=green"))
        everything = main_of(client_for(kent_.broker).get("/packages/"))
    assert ordinary.case_number in page and funder.case_number not in page
    assert _listed(green) == [ordinary.case_number]
    # the broker's list still shows it, with its grace end, after the packages waiting
    assert _listed(everything) == [ordinary.case_number, funder.case_number]
    assert "Grace until Monday 30 November" in everything


def test_days_waiting_count_from_the_grace_end_on_the_lists_and_the_reports(two):
    kent_, ordinary, funder = two
    runner.do_tick(funder, GRACE_ENDS)
    for row in (ordinary, funder):
        runner.do_tick(row, LATER)
        row.refresh_from_db()
    assert funder.waiting_from == GRACE_ENDS
    assert packages_waiting(kent_.council) == 2

    # The waiting page: the self-funder is amber (9 working days), the other red (14).
    with clock(LATER):
        amber = main_of(client_for(kent_.manager).get("/waiting/?rag=amber"))
        red = main_of(client_for(kent_.manager).get("/waiting/?rag=red"))
        longest = main_of(client_for(kent_.broker).get("/packages/"))
    assert funder.case_number in amber and ordinary.case_number not in amber
    assert ordinary.case_number in red and funder.case_number not in red
    assert _listed(longest) == [ordinary.case_number, funder.case_number]

    # Kent's 10-day list: only the one that has waited 10 working days, with 14 of them.
    policy, calendar = policy_and_calendar(kent_.council)
    table = kent.long_waits(kent_.council, calendar, LATER, 10)
    assert [(r[0], r[3], r[4]) for r in table.rows] == [
        (ordinary.case_number, date(2026, 11, 23), 14)
    ]
    # The dashboard's long waits and its waiting list by RAG at the week's end (now).
    scope = Scope(kent_.council, policy, calendar, Filters(date(2026, 12, 7), LATER.date()), LATER)
    waits, total = long_waits(scope)
    assert total == 1 and [r[0] for r in waits.rows] == [ordinary.case_number]
    assert waiting_by_rag(scope).rows == [(date(2026, 12, 7), 0, 1, 1)]


def test_the_weeks_before_the_grace_ended_count_only_the_package_that_was_waiting(two):
    kent_, ordinary, funder = two
    runner.do_tick(funder, GRACE_ENDS)
    funder.refresh_from_db()
    policy, calendar = policy_and_calendar(kent_.council)
    # Week of 23 November (counted at its end, Monday 30 November 00:00): the self-funder was
    # still in its grace, the other had waited 5 working days (amber); the week of 30
    # November (counted now, Sunday 6 December): the other 9 days (amber), the self-funder 4
    # from its grace end (green), not 9 from its acceptance.
    scope = Scope(
        kent_.council,
        policy,
        calendar,
        Filters(date(2026, 11, 23), date(2026, 12, 6)),
        datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
    )
    assert Package.objects.filter(waiting_from__isnull=False).count() == 2
    assert waiting_by_rag(scope).rows == [
        (date(2026, 11, 23), 0, 1, 0),
        (date(2026, 11, 30), 1, 1, 0),
    ]
