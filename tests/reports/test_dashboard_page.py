"""The dashboard page and its downloads: who may open it, filters in the URL, bad filters
named, words not codes, every figure as CSV and .xlsx, and a query count that does not
grow with the number of packages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from tests.factories import make_user
from tests.reports.world import NOW, build_world

pytestmark = pytest.mark.django_db

RANGE = "from-day=2&from-month=11&from-year=2026&to-day=22&to-month=11&to-year=2026"


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def client_for(council, role=Role.MANAGER):
    client = Client()
    client.force_login(make_user(council, role))
    return client


def test_manager_and_broker_open_the_dashboard_referrer_and_provider_do_not(pinned):
    world = build_world()
    for role in (Role.MANAGER, Role.BROKER):
        assert client_for(world.council, role).get("/reports/dashboard/").status_code == 200
    for role in (Role.REFERRER, Role.PROVIDER):
        assert client_for(world.council, role).get("/reports/dashboard/").status_code == 403


def test_the_page_shows_the_filtered_figures_in_words_with_charts(pinned):
    world = build_world()
    page = client_for(world.council).get(f"/reports/dashboard/?{RANGE}&area={world.ashford.pk}")
    text = page.content.decode()
    assert "2 November 2026 to 22 November 2026, Ashford" in text
    assert "Other contracted" in text and "other_contracted" not in text
    assert "No carers free for these hours" in text and "no_capacity" not in text
    assert text.count("<svg") >= 7
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date on the page"
    # The filters stay in the download links.
    assert "figure=flow&amp;format=csv&amp;from-day=2" in text
    assert f"area={world.ashford.pk}" in text


def test_a_bad_date_is_named_and_changes_nothing(pinned):
    world = build_world()
    page = client_for(world.council).get(
        "/reports/dashboard/?from-day=31&from-month=2&from-year=2026&to-day=&to-month=&to-year="
    )
    text = page.content.decode()
    assert "There is a problem" in text
    assert "Date from must be a real date" in text
    # The default range (eight weeks to today) stays in force.
    assert "5 October 2026 to 23 November 2026, all areas" in text


def test_a_date_in_digits_other_than_0_to_9_is_named_not_a_server_error(pinned):
    # "³" passes str.isdigit() but int() refuses it (lib/numbers.py).
    world = build_world()
    page = client_for(world.council).get(
        "/reports/dashboard/?from-day=%C2%B3&from-month=2&from-year=2026&area=%C2%B2"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Date from must be a real date" in text
    assert "5 October 2026 to 23 November 2026, all areas" in text


def test_an_area_of_another_council_is_refused(pinned):
    world = build_world()
    other = build_world(prefix="X")
    page = client_for(world.council).get(f"/reports/dashboard/?area={other.ashford.pk}")
    assert "Choose an area of your council" in page.content.decode()


def test_each_figure_downloads_as_csv_and_xlsx_with_the_pages_numbers(pinned):
    world = build_world()
    client = client_for(world.council)
    response = client.get(f"/reports/dashboard/download/?figure=flow&format=csv&{RANGE}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Week beginning", "Referrals in", "Placed", "Unfilled", "Handed back"],
        ["2 November 2026", "4", "2", "0", "0"],
        ["9 November 2026", "2", "1", "1", "1"],
        ["16 November 2026", "2", "0", "0", "0"],
    ]
    response = client.get(f"/reports/dashboard/download/?figure=all&format=xlsx&{RANGE}")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 9
    sheet = book[book.sheetnames[-1]]
    assert [c.value for c in sheet[2]] == ["No carers free for these hours", 2]
    assert client.get("/reports/dashboard/download/?figure=nope&format=csv").status_code == 404


def test_queries_do_not_grow_with_the_number_of_packages(pinned, django_assert_max_num_queries):
    world = build_world()
    client = client_for(world.council)
    client.get("/reports/dashboard/")  # warm the session and the policy cache
    with django_assert_max_num_queries(25) as small:
        assert client.get(f"/reports/dashboard/?{RANGE}").status_code == 200
    for n in range(6):
        build_world(world.council, prefix=f"B{n}-")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"/reports/dashboard/?{RANGE}").status_code == 200
