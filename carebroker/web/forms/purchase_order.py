"""The purchase order section of an Essex package page (docs/policies.md §4 After the award):
the references recorded, each with the hourly rate it carries and why; the form to add one."""

from __future__ import annotations

from django import forms

from carebroker.govuk.forms import GovukForm
from carebroker.placements.models import RateBasis
from carebroker.placements.purchase_orders import price_of, takes_purchase_orders
from carebroker.sourcing.actions import ActionError
from carebroker.sourcing.models import Package


class PurchaseOrderForm(GovukForm):
    widths = {"reference": "govuk-input--width-20"}
    reference = forms.CharField(
        label="Purchase order reference",
        help_text="As the purchase order shows it, for example PO-2026-004512",
        max_length=40,
        error_messages={"required": "Enter the purchase order reference"},
    )


def purchase_order_section(package: Package, form: PurchaseOrderForm | None) -> dict | None:
    """What the page shows; None where the council records no purchase orders or no award."""
    if package.awarded_provider is None or not takes_purchase_orders(package):
        return None
    try:
        rate, basis = price_of(package)
    except ActionError:
        rate, basis = None, ""
    return {
        "orders": list(package.purchase_orders.select_related("recorded_by")),
        "form": form or PurchaseOrderForm(prefix="purchase-order"),
        "next_rate": rate,
        "next_basis": RateBasis(basis).label if basis else "",
    }
