"""A manager's dashboard and reports in real Chromium (issue 13): open the dashboard from
the menu, filter by dates and area (the filters stay in the URL), download a figure as CSV
and every figure as .xlsx, a bad date named; Kent's reports and Essex's EHM KPI open. Every
page is screenshotted and checked by axe (conftest.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from tests.factories import make_council, make_user
from tests.reports.world import NOW, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def fill_dates(page, name: str, day: str, month: str, year: str) -> None:
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def test_a_manager_opens_the_dashboard_filters_and_downloads(pages, clock):
    clock.now = NOW
    world = build_world()
    manager = make_user(world.council, Role.MANAGER)
    page = pages.sign_in(manager.username)
    with page.expect_navigation():
        page.click("nav >> text=Dashboard")
    pages.look(page, "dashboard")
    assert "Referrals, placements, unfilled and handbacks per week" in page.content()

    fill_dates(page, "from", "2", "11", "2026")
    fill_dates(page, "to", "22", "11", "2026")
    page.select_option("#area", label="Ashford")
    with page.expect_navigation():
        page.click("button:has-text('Apply filters')")
    pages.look(page, "dashboard-ashford")
    assert "from-day=2" in page.url and f"area={world.ashford.pk}" in page.url
    assert "2 November 2026 to 22 November 2026, Ashford" in page.inner_text("#showing")
    flow = page.inner_text("#table-flow")
    assert "9 November 2026" in flow

    with page.expect_download() as done:
        page.click("#figure-flow-section >> text=CSV")
    rows = list(csv.reader(io.StringIO(Path(done.value.path()).read_text("utf-8-sig"))))
    # Ashford: M1, M2 referred and M1 placed the first week; M8 referred, M2 placed and
    # M8 handed back the second; M5, M6 referred the third.
    assert rows[1:] == [
        ["2 November 2026", "2", "1", "0", "0"],
        ["9 November 2026", "1", "1", "0", "1"],
        ["16 November 2026", "2", "0", "0", "0"],
    ]
    with page.expect_download() as done:
        page.click("#download-all")
    assert done.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(done.value.path()).read_bytes()))
    assert "Declines by reason" in book.sheetnames

    fill_dates(page, "from", "31", "2", "2026")
    with page.expect_navigation():
        page.click("button:has-text('Apply filters')")
    pages.look(page, "dashboard-bad-date")
    assert "Date from must be a real date" in page.inner_text(".govuk-error-summary")


def test_the_reports_pages_pass_axe(pages, clock):
    clock.now = NOW
    world = build_world()
    manager = make_user(world.council, Role.MANAGER)
    page = pages.sign_in(manager.username)
    for path, name in [
        ("/reports/", "reports"),
        ("/reports/wash-up/?day=11&month=11&year=2026", "wash-up"),
        ("/reports/management/?month=11&year=2026", "management"),
        ("/reports/variations/", "variations"),
        ("/reports/tracker/", "tracker"),
        ("/reports/wash-up/?day=40&month=11&year=2026", "wash-up-bad-date"),
    ]:
        pages.goto(page, path, name)
    with page.expect_download() as done:
        pages.goto(page, "/reports/tracker/", "tracker-again")
        page.click("#download-tracker")
    assert done.value.suggested_filename.endswith("tracker.xlsx")
    assert load_workbook(io.BytesIO(Path(done.value.path()).read_bytes())).sheetnames
    essex = make_council("essex-lah")
    page = pages.sign_in(make_user(essex, Role.MANAGER).username)
    pages.goto(page, "/reports/ehm-kpi/", "ehm-kpi")
    pages.goto(page, "/reports/dashboard/", "essex-dashboard")
