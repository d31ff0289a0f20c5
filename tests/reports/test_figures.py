"""Each dashboard figure on the hand-built council of tests/reports/world.py, where every
number can be checked by counting (see its table)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.figures import Scope, dashboard
from carebroker.reports.filters import Filters
from tests.reports.world import NOW, build_world

pytestmark = pytest.mark.django_db

W1, W2, W3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)


def board_for(world, area=None):
    policy, calendar = policy_and_calendar(world.council)
    filters = Filters(date(2026, 11, 2), date(2026, 11, 22), area)
    return dashboard(Scope(world.council, policy, calendar, filters, NOW))


def test_referrals_placed_unfilled_and_handbacks_are_counted_per_week():
    board = board_for(build_world())
    assert board.flow.rows == [(W1, 4, 2, 0, 0), (W2, 2, 1, 1, 1), (W3, 2, 0, 0, 0)]


def test_the_area_filter_counts_only_that_areas_packages():
    world = build_world()
    board = board_for(world, world.canterbury)
    assert board.flow.rows == [(W1, 2, 1, 0, 0), (W2, 1, 0, 1, 0), (W3, 0, 0, 0, 0)]
    assert [row[0] for row in board.responsiveness_area.rows] == ["Canterbury"]


def test_hours_of_care_sourced_are_the_hours_a_week_of_packages_awarded_that_week():
    board = board_for(build_world())
    assert board.hours.rows == [(W1, Decimal("24")), (W2, Decimal("7.5")), (W3, Decimal("0"))]


def test_referral_to_award_median_and_p90_are_working_hours_by_nearest_rank():
    board = board_for(build_world())
    # Cluster: M3 2 h and M1 10 h; other contracted: M2 40 h (a week of working days).
    assert board.award_by_stage.rows == [
        ("Cluster", 2, Decimal("2.0"), Decimal("10.0")),
        ("Other contracted", 1, Decimal("40.0"), Decimal("40.0")),
        ("All", 3, Decimal("10.0"), Decimal("40.0")),
    ]
    assert board.award_by_area.rows == [
        ("Ashford", 2, Decimal("10.0"), Decimal("40.0")),
        ("Canterbury", 1, Decimal("2.0"), Decimal("2.0")),
        ("All", 3, Decimal("10.0"), Decimal("40.0")),
    ]


def test_waiting_list_by_rag_is_counted_at_each_weeks_end():
    board = board_for(build_world())
    # 9 Nov: M2 (3 days) green, M4 (5) amber. 16 Nov: M8 (5) amber, M4 (10) red.
    # 23 Nov: M6 (1) green, M5 (5) amber, M4 (15) and M8 (10) red. M7 is unfilled: out.
    assert board.waiting.rows == [(W1, 1, 1, 0), (W2, 0, 1, 1), (W3, 1, 1, 2)]


def test_todays_list_has_everyone_waiting_ten_working_days_or_more_longest_first():
    world = build_world()
    board = board_for(world)
    assert board.long_waits_total == 2
    assert [(row[0], row[2], row[4]) for row in board.long_waits.rows] == [
        ("M4", "Canterbury", 15),
        ("M8", "Ashford", 10),
    ]
    assert board.long_waits.rows[0][1] == world.packages["M4"].person.name


def test_provider_responsiveness_per_provider():
    board = board_for(build_world())
    assert board.responsiveness_provider.rows == [
        ("Elm Care", 3, 3, 2, Decimal("2.0"), "33%", 2, 0),
        ("Oak Care", 4, 3, 2, Decimal("1.5"), "67%", 1, 1),
    ]


def test_provider_responsiveness_per_area():
    board = board_for(build_world())
    assert board.responsiveness_area.rows == [
        ("Ashford", 4, 3, 2, Decimal("1.5"), "67%", 1, 1),
        ("Canterbury", 3, 3, 2, Decimal("2.0"), "33%", 2, 0),
    ]


def test_declines_are_counted_by_reason_in_words():
    board = board_for(build_world())
    assert board.declines.rows == [
        ("No carers free for these hours", 2),
        ("Cannot meet the call times", 1),
    ]
