"""Kent's weekly wash-up, monthly management report and weekly variation report: each
section's rows on the hand-built council of tests/reports/world.py (plus what each test
adds), and the pages with their downloads."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from carebroker.providers.models import ProviderKind
from carebroker.reports import kent
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.periods import month_of, week_of
from carebroker.sourcing.models import TimelineEvent
from tests.factories import make_council, make_package, make_provider, make_referral, make_user
from tests.reports.world import NOW, at, build_world

pytestmark = pytest.mark.django_db

WEEK = week_of(date(2026, 11, 11))  # Monday 9 to Sunday 15 November


def wash_up(world):
    _, calendar = policy_and_calendar(world.council)
    return kent.wash_up(world.council, calendar, WEEK, NOW, 10)


def extras(world):
    """A returned referral; a non-contracted, sanctioned provider's placement of a referral
    that bypassed enablement; a sanction approval asked; a change to an existing package."""
    make_referral(
        world.council, received_at=at(12, 10), status="returned", missing=["charging_letter"]
    )
    birch = make_provider(
        world.council, "Birch Care", {world.ashford: 5}, kind=ProviderKind.NON_CONTRACTED,
        sanctioned=True,
    )  # fmt: skip
    bypass = make_referral(
        world.council,
        received_at=at(17, 9),
        accepted_at=at(17, 10),
        status="accepted",
        bypassed_enablement=True,
        documents=["financial_authorisation", "referral_form", "team_manager_approval"],
    )
    placed = make_package(
        world.council, "M9", referral=bypass, area=world.ashford, status="awarded",
        awarded_at=at(18, 15), awarded_provider=birch, hours_per_week=Decimal("21"),
        stage="non_contracted",
    )  # fmt: skip
    TimelineEvent.objects.create(
        package=placed, at=at(18, 10), type="gate_raised",
        details={"gate": "sanction_approval", "provider": str(birch.pk)},
    )  # fmt: skip
    TimelineEvent.objects.create(
        package=placed, at=at(18, 14), type="gate_passed",
        details={"gate": "sanction_approval", "decision": "approve"},
    )  # fmt: skip
    change = make_referral(world.council, received_at=at(10, 11), status="accepted")
    make_package(
        world.council, "M10", referral=change, area=world.canterbury, change_to_existing=True,
        awarded_provider=world.elm, status="awarded", awarded_at=at(10, 15),
        hours_per_week=Decimal("3.5"),
    )  # fmt: skip
    return birch


def test_wash_up_counts_the_weeks_work_per_area():
    report = wash_up(build_world())
    assert report.section("areas").rows == [
        ("Ashford", 1, 1, 0, 1, 0),
        ("Canterbury", 1, 0, 1, 0, 2),
        ("All areas", 2, 1, 1, 1, 2),
    ]


def test_wash_up_lists_declines_slow_answers_and_handbacks_in_words():
    report = wash_up(build_world())
    assert report.section("declines").rows == [
        ("M7", "Canterbury", "Elm Care", "Cannot meet the call times", date(2026, 11, 10)),
        ("M7", "Canterbury", "Oak Care", "No carers free for these hours", date(2026, 11, 11)),
    ]
    # Sent in the week: Oak twice (one answered a day late), Elm once, in time.
    assert report.section("slow").rows == [("Oak Care", 2, 1, 0)]
    assert report.section("handbacks").rows == [
        ("M8", "Ashford", "Oak Care", "Cannot meet the call times", date(2026, 11, 13))
    ]


def test_wash_up_lists_people_waiting_ten_days_at_the_weeks_end_and_returned_referrals():
    world = build_world()
    extras(world)
    report = wash_up(world)
    # At the end of Sunday 15 November: M4 has waited 10 working days, M8 only 5.
    waiting = report.section("waiting").rows
    assert [(r[0], r[2], r[4]) for r in waiting] == [("M4", "Canterbury", 10)]
    returned = report.section("returned").rows
    assert [(r[1], r[2]) for r in returned] == [(date(2026, 11, 12), "Signed charging letter")]


def test_management_report_sections():
    world = build_world()
    birch = extras(world)
    _, calendar = policy_and_calendar(world.council)
    report = kent.management_report(world.council, calendar, month_of(date(2026, 11, 5)), NOW, 10)
    assert [(r[0], r[4]) for r in report.section("waiting").rows] == [("M4", 15), ("M8", 10)]
    assert len(report.section("declines").rows) == 3
    assert [r[0] for r in report.section("handbacks").rows] == ["M8"]
    assert report.section("non_contracted").rows == [
        ("M9", "Ashford", "Birch Care", Decimal("21"), date(2026, 11, 18))
    ]
    assert report.section("sanctions").rows == [
        ("M9", birch.name, "Approval asked", date(2026, 11, 18)),
        ("M9", "Birch Care", "Approval decided: approve", date(2026, 11, 18)),
        ("M9", "Birch Care", "Placed with a provider under sanction", date(2026, 11, 18)),
    ]
    bypasses = report.section("bypasses").rows
    assert [(r[0], r[2], r[4]) for r in bypasses] == [("M9", "Ashford", "Yes")]


def test_variation_report_lists_the_weeks_changes_to_existing_packages():
    world = build_world()
    extras(world)
    report = kent.variation_report(world.council, WEEK)
    rows = report.section("variations").rows
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("M10", "Canterbury", "Elm Care", Decimal("3.5"), "Awarded")
    ]


def test_the_report_pages_show_words_and_download(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    world = build_world()
    client = Client()
    client.force_login(make_user(world.council, Role.BROKER))
    page = client.get("/reports/wash-up/?day=11&month=11&year=2026").content.decode()
    assert "Weekly Purchasing wash-up: 9 November 2026 to 15 November 2026" in page
    assert "No carers free for these hours" in page and "no_capacity" not in page
    response = client.get("/reports/wash-up/?day=11&month=11&year=2026&figure=areas&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1] == ["All areas", "2", "1", "1", "1", "2"]
    response = client.get("/reports/management/?month=11&year=2026&figure=all&format=xlsx")
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 6
    # The default is the last whole period: the week before this one, last month.
    assert (
        "16 November 2026 to 22 November 2026"
        in client.get("/reports/variations/").content.decode()
    )
    assert "October 2026" in client.get("/reports/management/").content.decode()


def test_a_bad_period_is_named_and_the_last_whole_week_stays(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    world = build_world()
    client = Client()
    client.force_login(make_user(world.council, Role.MANAGER))
    page = client.get("/reports/wash-up/?day=31&month=11&year=2026").content.decode()
    assert "A day of the week must be a real date" in page
    assert "16 November 2026 to 22 November 2026" in page


def test_kent_reports_are_not_offered_to_a_council_without_a_waiting_list(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    council = make_council("essex-lah")
    client = Client()
    client.force_login(make_user(council, Role.MANAGER))
    assert client.get("/reports/wash-up/").status_code == 404
    index = client.get("/reports/").content.decode()
    assert "EHM KPI" in index and "wash-up" not in index


@pytest.mark.parametrize(
    "path",
    [
        "/reports/wash-up/?day=11&month=11&year=2026",
        "/reports/management/?month=11&year=2026",
        "/reports/variations/?day=11&month=11&year=2026",
    ],
)
def test_report_queries_do_not_grow_with_the_number_of_packages(
    monkeypatch, django_assert_max_num_queries, path
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    world = build_world()
    extras(world)
    client = Client()
    client.force_login(make_user(world.council, Role.MANAGER))
    client.get(path)  # warm the session and the policy cache
    with django_assert_max_num_queries(20) as small:
        assert client.get(path).status_code == 200
    for n in range(5):
        build_world(world.council, prefix=f"B{n}-")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(path)
    assert page.status_code == 200
    if "variations" not in path:  # (the added packages are no changes to existing ones)
        assert "B4-" in page.content.decode()  # the bigger council's packages are there


def test_the_tracker_downloads_from_the_web_as_the_command_writes_it(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    world = build_world()
    client = Client()
    client.force_login(make_user(world.council, Role.BROKER))
    assert "Download the tracker" in client.get("/reports/tracker/").content.decode()
    response = client.get("/reports/tracker/download/")
    assert response["Content-Disposition"].endswith('tracker.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    filled = book["Filled"]
    cases = {row[0].value for row in filled.iter_rows(min_row=2)}
    assert {"M1", "M2", "M3"} <= cases
