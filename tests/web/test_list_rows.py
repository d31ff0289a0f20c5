"""The package list's rows, rendered in Python (web/list_rows.py, issue 14), are the markup the
template rendered, byte for byte: the template's loop is kept here as it was and both are
rendered for every package of the demo's councils, and for the cases the demo may not hold
(a self-funder in its grace, a referral not accepted, part hours, a gate, a name to escape)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from carebroker.councils.models import Council
from carebroker.sourcing.models import Package
from carebroker.web.list_rows import render_rows
from carebroker.web.waiting_days import grace_ends, policy_and_calendar, waiting_rows
from tests.web.conftest import NOW

pytestmark = pytest.mark.django_db

# web/packages/list.html's loop before the rows moved to web/list_rows.py, as it was
TEMPLATE_LOOP = (Path(__file__).parent / "list_rows_before.html").read_text()


def _template(rows, has_rag: bool, policy_name: str) -> str:
    council = Council(policy_name=policy_name)

    class Someone:  # the template reads user.council.policy_name
        pass

    user = Someone()
    user.council = council  # type: ignore[attr-defined]
    return Template(TEMPLATE_LOOP).render(Context({"rows": rows, "has_rag": has_rag, "user": user}))


def test_the_rows_are_the_templates_markup_for_every_demo_package(demo):
    now = NOW
    compared = 0
    for council in Council.objects.all():
        packages = list(
            Package.objects.filter(council=council)
            .select_related("area", "referral", "person")
            .defer("engine_state")
            .order_by("case_number")
        )
        policy, calendar = policy_and_calendar(council)
        rows = waiting_rows(packages, calendar, policy.waiting_list, now, grace_ends(packages))
        for has_rag in (True, False):
            assert str(render_rows(rows, has_rag, council.policy_name)) == _template(
                rows, has_rag, council.policy_name
            )
        compared += len(rows)
    assert compared > 20, "too few demo packages: the test would compare little"


def test_the_rows_are_the_templates_markup_in_the_rarer_cases(demo):
    now = NOW
    package = (
        Package.objects.select_related("area", "referral", "person")
        .defer("engine_state")
        .filter(status="sourcing")
        .first()
    )
    assert package is not None
    council = package.council
    policy, calendar = policy_and_calendar(council)
    (row,) = waiting_rows([package], calendar, policy.waiting_list, now)
    package.hours_per_week = Decimal("7.5")
    package.urgent = True
    package.gate = "approve_award"
    package.next_due = None
    package.person.name = "O'Brien <Smith> & Co"
    cases = [
        row,
        replace(row, days_waiting=None, rag=None),  # not accepted yet
        replace(row, days_waiting=None, rag=None, grace_until=now + timedelta(days=3)),
        replace(row, rag="amber"),
        replace(row, rag="red", days_waiting=0),
    ]
    assert str(render_rows(cases, True, council.policy_name)) == _template(
        cases, True, council.policy_name
    )
    package.hours_per_week = Decimal("12.25")
    package.status = "held"
    assert str(render_rows([row], False, "")) == _template([row], False, "")
