"""The report tables rendered in Python (reports/table_html.py) are the template's markup
byte for byte: the template they replaced is kept beside this test (table_template.html)
and both render every dashboard table of the hand-built council, and the rarer cases
(empty tables, names to escape, dates, missing values, a safe title, with and without the
download links)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.figures import Scope, dashboard
from carebroker.reports.filters import Filters
from carebroker.reports.table_html import table_html
from carebroker.reports.tables import Table
from tests.reports.world import NOW, build_world

TEMPLATE = Template((Path(__file__).parent / "table_template.html").read_text())
LINKS = [
    ("", ""),
    ("/reports/dashboard/download/?", ""),
    ("/reports/dashboard/download/?", "from-day=2&from-month=11&area=3"),
]


def by_template(table: Table, download_url: str, query: str) -> str:
    context: dict[str, object] = {"table": table}
    if download_url:
        context["download_url"] = download_url
    if query:
        context["query"] = query
    return TEMPLATE.render(Context(context))


def assert_same(table: Table) -> None:
    for download_url, query in LINKS:
        assert table_html(table, download_url, query) == by_template(table, download_url, query)


@pytest.mark.django_db
def test_every_dashboard_table_of_the_hand_built_council_renders_as_the_template_did():
    world = build_world()
    policy, calendar = policy_and_calendar(world.council)
    for area in (None, world.ashford):
        filters = Filters(date(2026, 11, 2), date(2026, 11, 22), area)
        board = dashboard(Scope(world.council, policy, calendar, filters, NOW))
        tables = board.tables()
        assert sum(len(t.rows) for t in tables) > 10  # the tables have rows to compare
        for table in tables:
            assert_same(table)


def test_the_rarer_cases_render_as_the_template_did():
    odd = Table(
        "odd<key>",
        'Tom & Jerry\'s <b>"care"</b>',
        ("Name <x>", "Hours", "Since", "Missing"),
        [
            ("O'Brien & <Sons>", Decimal("12.50"), date(2026, 11, 2), None),
            (mark_safe("<em>safe</em>"), 0, date(2026, 1, 31), 'a"b'),
            ("a row longer than its columns", 1, 2, 3, 4, 5),
            ("short",),
        ],
        numeric=frozenset({1, 4}),
    )
    empty = Table("empty", "Nothing & nobody", ("A", "B"), [], empty="No <rows> here & now")
    safe_title = Table("safe", mark_safe("Safe <i>Title</i>"), ("A",), [("x",)])
    for table in (odd, empty, safe_title, Table("bare", "Bare", (), [])):
        assert_same(table)
