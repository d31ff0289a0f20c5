"""The portal history's rows, rendered in Python (portal/history_rows.py, issue 14), are the
markup the template rendered, byte for byte: the template's loop is kept here as it was, and
both are rendered for every request of every provider in the demo, and for each answer and
ending the demo may not hold."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from carebroker.portal.history_rows import render_rows
from carebroker.providers.models import Provider
from carebroker.sourcing.models import SourcingRequest

pytestmark = pytest.mark.django_db

# portal/history.html's loop before the rows moved to portal/history_rows.py, as it was
TEMPLATE_LOOP = (Path(__file__).parent / "history_rows_before.html").read_text()


def _template(rows, provider, confirm) -> str:
    context = {"rows": rows, "provider": provider, "confirm": confirm}
    return Template(TEMPLATE_LOOP).render(Context(context))


def _rows(provider):
    return list(
        SourcingRequest.objects.filter(provider=provider)
        .select_related("package")
        .order_by("-sent_at", "-pk")
    )


def test_the_rows_are_the_templates_markup_for_every_demo_request(demo):
    compared = 0
    for provider in Provider.objects.all():
        rows = _rows(provider)
        ours = {r.package.case_number for r in rows if r.package.awarded_provider_id == provider.pk}
        confirm = set(sorted(ours)[::2])  # some asked for, some not
        assert str(render_rows(rows, provider.pk, confirm)) == _template(rows, provider, confirm)
        compared += len(rows)
    assert compared > 20, "too few demo requests: the test would compare little"


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "interest", "late": True},
        {"outcome": "interest"},
        {"outcome": "offer", "coverage": "part", "rate": Decimal("23.50")},
        {"outcome": "offer", "rate": Decimal("1234.05")},
        {"outcome": "decline", "reason": "offer withdrawn"},
        {"outcome": "decline", "reason": "no staff"},
        {"outcome": "considering"},
        {"outcome": "assessment", "not_awarded": "price"},
        {"outcome": "expired", "not_awarded": "some_new_reason"},
        {"outcome": "withdrawn"},
        {"outcome": "open", "round": "offer", "stage": "tier2"},
        {"outcome": "odd_new_outcome <b>", "stage": "a_new_stage"},
        {"package.status": "cancelled"},
        {"package.status": "held"},
        {"package.status": "awarded", "package.case_number": "A&B'1"},
    ],
)
def test_the_rows_are_the_templates_markup_for_each_answer(demo, change):
    row = SourcingRequest.objects.select_related("package").order_by("pk").first()
    assert row is not None
    for name, value in change.items():
        target = row.package if name.startswith("package.") else row
        setattr(target, name.removeprefix("package."), value)
    provider = Provider(pk=row.provider_id)
    for awarded_to_us in (True, False):
        row.package.awarded_provider_id = row.provider_id if awarded_to_us else None
        for confirm in (set(), {row.package.case_number}):
            assert str(render_rows([row], provider.pk, confirm)) == _template(
                [row], provider, confirm
            )
