"""The portal's batch rows, rendered in Python (portal/batch_rows.py, issue 14), are the markup
the template rendered, byte for byte: the template's loop is kept beside this file as it
was, and both are rendered for every request of the demo and for the flags, answers and
empty cells the demo may not hold."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from carebroker.portal.batch_rows import render_rows
from carebroker.sourcing.models import SourcingRequest

pytestmark = pytest.mark.django_db

# portal/requests.html's batch loop before the rows moved to portal/batch_rows.py, as it was
TEMPLATE_LOOP = (Path(__file__).parent / "batch_rows_before.html").read_text()


def _template(rows) -> str:
    return Template(TEMPLATE_LOOP).render(Context({"batch": rows}))


def test_the_rows_are_the_templates_markup_for_every_demo_request(demo):
    rows = list(SourcingRequest.objects.select_related("package").order_by("pk"))
    assert len(rows) > 20, "too few demo requests: the test would compare little"
    assert str(render_rows(rows)) == _template(rows)


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "interest"},
        {"outcome": "expired"},
        {"package.urgent": True, "package.target_supply_area": True},
        {"package.enhanced_rate": True, "package.emergency": True},
        {"package.specialisms": ["dementia", "<b>end of life</b> & more"]},
        {"package.specialisms": []},
        {"package.specialisms": None},
        {"package.provider_view": {"postcode": "CO4 3"}},
        {"package.provider_view": {"postcode": ""}},
        {"package.provider_view": {}},
        {"package.hours_per_week": Decimal("7.5")},
        {"package.hours_per_week": Decimal("10.25"), "package.case_number": "A&B'<1>"},
    ],
)
def test_the_rows_are_the_templates_markup_for_each_case(demo, change):
    row = SourcingRequest.objects.select_related("package").order_by("pk").first()
    assert row is not None
    for name, value in change.items():
        target = row.package if name.startswith("package.") else row
        setattr(target, name.removeprefix("package."), value)
    assert str(render_rows([row])) == _template([row])
