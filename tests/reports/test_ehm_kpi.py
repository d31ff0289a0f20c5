"""Essex's EHM KPI: the four-weekly schedule from Monday 5 January 2026, Tier 1 first, the
first period deemed submitted, files due by 17:00 on the fifth working day after a period,
the overdue list and the visits from each EHM file (reports/ehm_kpi.py)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from carebroker.exchange.models import EhmSubmission
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.ehm_kpi import ehm_kpi, periods
from tests.factories import make_area, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FIRST = date(2026, 1, 5)


def period_start(n: int) -> date:
    return FIRST + timedelta(weeks=4 * (n - 1))


def essex():
    council = make_council("essex-lah")
    north = make_area(council, "North East", districts=["CO4"])
    ash = make_provider(council, "Ash Homecare", {north: 1}, tier=1)
    beech = make_provider(council, "Beech Homecare", {north: 2}, tier=1)
    make_provider(council, "Cedar Homecare", {north: 3}, tier=2)
    for n in (2, 3, 4, 5, 6, 7, 8, 9, 11):  # Ash misses period 10 only
        start = period_start(n)
        EhmSubmission.objects.create(
            council=council, provider=ash, period_start=start,
            period_end=start + timedelta(days=27),
            received_at=datetime.combine(start + timedelta(days=30), datetime.min.time(), UTC),
            file_name=f"ash-{n}.csv", file_sha256=f"{n:064d}", late_after_minutes=15,
            short_by_minutes=5, planned_visits=100, delivered_visits=96 if n == 11 else 100,
            late_visits=5 if n == 11 else 0, missed_visits=4 if n == 11 else 0,
            short_visits=2 if n == 11 else 0,
        )  # fmt: skip
    return council, ash, beech


def test_periods_run_four_weeks_from_5_january_and_are_due_on_the_fifth_working_day_after():
    council = make_council("essex-lah")
    _, calendar = policy_and_calendar(council)
    found = periods(calendar, 4, NOW)
    assert [p.start for p in found] == [period_start(n) for n in range(1, 13)]
    assert found[10].end == date(2026, 11, 8)
    # Mon 9 to Fri 13 November: due at 17:00 on Friday 13 November (GMT).
    assert found[10].due == datetime(2026, 11, 13, 17, 0, tzinfo=UTC)
    # Period 4 ends Sunday 26 April; Monday 27 April to Friday 1 May.
    assert found[3].due.date() == date(2026, 5, 1)


def test_tier_1_first_the_first_period_deemed_in_and_tier_2_not_yet_required():
    council, ash, beech = essex()
    _, calendar = policy_and_calendar(council)
    report = ehm_kpi(council, calendar, 4, NOW)
    assert report.section("schedule").rows == [
        # Eleven periods due by now; Ash: the deemed first and nine files (the last received
        # 30 days after 12 October); Beech: the deemed first only.
        ("Ash Homecare", 1, 11, 10, 1, "11 November 2026", "11 December 2026"),
        ("Beech Homecare", 1, 11, 1, 10, "None yet", "11 December 2026"),
        ("Cedar Homecare", 2, 0, 0, 0, "", "Not yet required"),
    ]


def test_overdue_files_are_listed_with_working_days_overdue():
    council, ash, beech = essex()
    _, calendar = policy_and_calendar(council)
    overdue = ehm_kpi(council, calendar, 4, NOW).section("overdue").rows
    assert overdue[0] == (
        "Ash Homecare",
        1,
        "14 September 2026 to 11 October 2026",
        date(2026, 10, 16),
        26,
    )
    assert [row[0] for row in overdue].count("Beech Homecare") == 10
    assert "5 January 2026 to 1 February 2026" not in [row[2] for row in overdue]


def test_visits_planned_delivered_late_missed_and_short_per_file():
    council, ash, beech = essex()
    _, calendar = policy_and_calendar(council)
    visits = ehm_kpi(council, calendar, 4, NOW).section("visits").rows
    assert len(visits) == 9
    assert visits[-1] == (
        "Ash Homecare",
        "12 October 2026 to 8 November 2026",
        100,
        96,
        5,
        4,
        2,
        "96%",
    )


def test_the_kpi_page_and_its_download(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    council, ash, beech = essex()
    client = Client()
    client.force_login(make_user(council, Role.MANAGER))
    page = client.get("/reports/ehm-kpi/").content.decode()
    assert "Beech Homecare" in page and "Not yet required" in page
    response = client.get("/reports/ehm-kpi/?figure=all&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Files per provider",
        "Overdue files",
        "Visits planned and delivered",
    ]
    kent = make_council("kent-oppd")
    other = Client()
    other.force_login(make_user(kent, Role.MANAGER))
    assert other.get("/reports/ehm-kpi/").status_code == 404
