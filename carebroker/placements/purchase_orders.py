"""Purchase orders for placed packages and their price (Essex, docs/policies.md §4 After the
award, the 2025 FAQ).

- An existing package keeps its price: its first purchase order carries the rate it was
  placed at, and a corrected reference later carries that same rate, whatever the
  framework rate has become since.
- A change to an existing service (an increase, decrease or continuation:
  `Package.change_to_existing`) takes the current framework rate of its provider, with a
  new purchase order: a reference already used in the council is refused.

`do_record_purchase_order` writes the row and an audit event in one transaction, and remakes
the commencement letter so that it carries the reference (issue 11): the letter made at the
award is kept, as every version of a document is (placements/documents/store.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from carebroker.accounts.models import User
from carebroker.engine.vocabulary import EventType
from carebroker.placements.documents.facts import DocumentRefused, awarded_rate
from carebroker.placements.documents.store import make_document
from carebroker.placements.models import DocumentKind, PurchaseOrder, RateBasis
from carebroker.sourcing.actions import ActionError, check_staff
from carebroker.sourcing.effects import agreed_start
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import state_of

# Letters, digits, hyphens and slashes, 3 to 30 of them, starting with a letter or digit:
# "PO-2026-004512", "ECC/LAH/7781".
REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/-]{2,29}")


def takes_purchase_orders(package: Package) -> bool:
    """The council records purchase orders after the award (Essex: the commencement letter)."""
    return policy_of(package.council).commencement_letter


def price_of(package: Package) -> tuple[Decimal, str]:
    """The hourly rate the package's next purchase order carries, and why (RateBasis)."""
    first = package.purchase_orders.order_by("recorded_at", "pk").first()
    if first is not None:
        return first.hourly_rate, RateBasis.KEPT
    winner = package.awarded_provider
    if winner is None:
        raise ActionError(f"Package {package.case_number} is not awarded.")
    if package.change_to_existing and winner.framework_hourly_rate is not None:
        return Decimal(winner.framework_hourly_rate), RateBasis.CURRENT
    try:
        return awarded_rate(package, winner, None), RateBasis.PLACED
    except DocumentRefused:
        # In the broker's words, with the way on (the Essex browser happy path showed the
        # document's own "no hourly rate ... (no offered rate, no framework rate); give
        # one", with nowhere on the page to give one).
        raise ActionError(
            f"{winner} has no hourly rate for this package: it offered none and has no "
            "framework rate. Add its framework hourly rate to the provider's record, then "
            "record the purchase order again."
        ) from None


def check_reference(package: Package, reference: str) -> str:
    """The reference tidied (upper case, no spaces around); ValidationError on `reference`."""
    tidy = (reference or "").strip().upper()
    if not tidy:
        raise ValidationError({"reference": "Enter the purchase order reference"})
    if not REFERENCE.fullmatch(tidy):
        raise ValidationError(
            {
                "reference": "The purchase order reference must be 3 to 30 letters, numbers, "
                "hyphens or slashes, like PO-2026-004512"
            }
        )
    used = (
        PurchaseOrder.objects.filter(council_id=package.council_id, reference=tidy)
        .select_related("package")
        .first()
    )
    if used is not None:
        where = "this package" if used.package_id == package.pk else f"package {used.package}"
        raise ValidationError(
            {
                "reference": f"Purchase order {tidy} is already recorded for {where}: "
                "a change needs a new purchase order"
            }
        )
    return tidy


def do_record_purchase_order(
    user: User, package: Package, reference: str, now: datetime
) -> PurchaseOrder:
    check_staff(user, package)
    if not takes_purchase_orders(package):
        raise ActionError(f"{package.council} records no purchase orders here.")
    tidy = check_reference(package, reference)
    with transaction.atomic():
        Package.objects.select_for_update().filter(pk=package.pk).first()
        rate, basis = price_of(package)
        order = PurchaseOrder.objects.create(
            council_id=package.council_id,
            package=package,
            reference=tidy,
            hourly_rate=rate,
            basis=basis,
            recorded_at=now,
            recorded_by=user,
        )
        TimelineEvent.objects.create(
            package=package,
            at=now,
            type=EventType.PURCHASE_ORDER_RECORDED,
            details={"reference": tidy, "rate": str(rate)},
            source=EventSource.COUNCIL,
            actor=user.get_username(),
        )
        try:
            _remake_letter(package, user, now, rate, tidy)
        except DocumentRefused as refused:  # nothing is recorded without its letter
            raise ActionError(str(refused)) from None
    return order


def _remake_letter(
    package: Package, user: User, now: datetime, rate: Decimal, reference: str
) -> None:
    # The letter the winner holds names no purchase order until one is recorded: a new
    # version carries it, at the rate of the order (the FAQ's price rule).
    make_document(
        package,
        DocumentKind.COMMENCEMENT_LETTER,
        now=now,
        provider=package.awarded_provider,
        created_by=user,
        start=agreed_start(package, state_of(package)) if package.engine_state else None,
        rate=rate,
        purchase_order=reference,
    )
