"""Essex after the award (docs/policies.md §4 After the award): the commencement letter made
at the award and attached to its notice, to the winner only; the quadrant's Service
Placement Team on every notice of its packages; purchase orders recorded on the package
page, with the price per the 2025 FAQ (an existing package keeps its price; a change to an
existing service takes the current framework rate with a new purchase order)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest

from carebroker.councils.models import Area
from carebroker.outbox.models import Notice
from carebroker.placements.models import DocumentKind, PlacementDocument, PurchaseOrder
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package
from tests.sourcing.scenario_db import drive, load, read_example
from tests.web.pages import client_for, field_error, main_of

pytestmark = pytest.mark.django_db
PLACED = Decimal("21.50")
TEAM = {
    "team_name": "Service Placement Team (North)",
    "team_email": "spt-north@essex.example.org",
    "team_phone": "01632 960123",
}


@pytest.fixture
def essex():
    loaded = load(read_example("essex-lah"))
    Area.objects.filter(council=loaded.council).update(**TEAM)
    Provider.objects.filter(council=loaded.council).update(framework_hourly_rate=PLACED)
    drive(loaded)
    package = Package.objects.filter(council=loaded.council, awarded_provider__isnull=False)
    return loaded.council, package.select_related("awarded_provider", "person").first()


def test_the_award_sends_the_winner_a_commencement_letter(essex):
    council, package = essex
    award = Notice.objects.get(package=package, kind="award")
    [attached] = award.attachments.all()
    assert attached.filename.endswith(
        f"Commencement letter for {package.awarded_provider.name}.pdf"
    )
    kept = PlacementDocument.objects.get(package=package, kind=DocumentKind.COMMENCEMENT_LETTER)
    assert kept.filename == attached.filename and kept.provider == package.awarded_provider
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bytes(kept.content))).pages
    )
    assert package.person.name in " ".join(text.split())
    assert "spt-north@essex.example.org" in text and "01632 960123" in text
    assert "£21.50" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date in the letter"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a code in the letter"


def test_every_essex_notice_names_the_quadrants_service_placement_team(essex):
    council, _ = essex
    notices = Notice.objects.filter(council=council, package__isnull=False)
    assert notices.exists()
    for notice in notices:
        assert "Service Placement Team (North)" in notice.body, notice.kind
        assert "spt-north@essex.example.org, telephone 01632 960123" in notice.body


def _record(user, package, reference):
    return client_for(user).post(
        f"/packages/{package.case_number}/purchase-order/",
        {"purchase-order-reference": reference},
    )


@pytest.fixture
def broker(essex):
    council, _ = essex
    return council.users.filter(role="broker").first() or _make_broker(council)


def _make_broker(council):
    from tests.factories import make_user

    return make_user(council, "broker", first_name="Pat", last_name="Broker")


def test_a_purchase_order_is_recorded_with_the_rate_the_package_was_placed_at(essex, broker):
    _, package = essex
    response = _record(broker, package, " po-2026-004512 ")
    assert response.status_code == 302
    [order] = PurchaseOrder.objects.filter(package=package)
    assert order.reference == "PO-2026-004512" and order.basis == "placed"
    assert order.hourly_rate == package.awarded_provider.framework_hourly_rate
    page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    assert "PO-2026-004512" in page and "The rate the package was placed at" in page


def test_an_existing_package_keeps_its_price_when_the_framework_rate_changes(essex, broker):
    _, package = essex
    placed = package.awarded_provider.framework_hourly_rate
    _record(broker, package, "PO-1001")
    package.awarded_provider.framework_hourly_rate = placed + Decimal("1.25")
    package.awarded_provider.save()
    assert _record(broker, package, "PO-1002").status_code == 302
    second = PurchaseOrder.objects.get(reference="PO-1002")
    assert (second.hourly_rate, second.basis) == (placed, "kept")


def test_a_change_takes_the_current_rate_and_needs_a_new_purchase_order(essex, broker):
    _, package = essex
    _record(broker, package, "PO-1001")
    provider = package.awarded_provider
    provider.framework_hourly_rate = Decimal("23.40")
    provider.save()
    change = Package.objects.filter(council=package.council).exclude(pk=package.pk).first()
    change.awarded_provider, change.change_to_existing = provider, True
    change.awarded_at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    change.save()
    reused = _record(broker, change, "po-1001")
    assert reused.status_code == 400
    assert field_error(main_of(reused), "id_purchase-order-reference").startswith(
        "Purchase order PO-1001 is already recorded for package"
    )
    assert _record(broker, change, "PO-1003").status_code == 302
    order = PurchaseOrder.objects.get(reference="PO-1003")
    assert (order.hourly_rate, order.basis) == (Decimal("23.40"), "current")


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("", "Enter the purchase order reference"),
        ("PO 12 34", "The purchase order reference must be 3 to 30 letters, numbers"),
        ("P", "The purchase order reference must be 3 to 30 letters, numbers"),
    ],
)
def test_a_bad_reference_is_refused_on_its_field_and_nothing_is_recorded(
    essex, broker, reference, error
):
    _, package = essex
    response = _record(broker, package, reference)
    assert response.status_code == 400
    assert field_error(main_of(response), "id_purchase-order-reference").startswith(error)
    assert not PurchaseOrder.objects.exists()


def test_a_winner_with_no_rate_is_refused_in_words_saying_what_to_do(essex, broker):
    _, package = essex
    Provider.objects.filter(pk=package.awarded_provider_id).update(framework_hourly_rate=None)
    package.requests.update(rate=None)
    response = _record(broker, package, "PO-3001")
    assert response.status_code == 400
    said = main_of(response).split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert f"{package.awarded_provider.name} has no hourly rate for this package" in said
    assert "Add its framework hourly rate to the provider" in said
    assert "give one" not in said and "no offered rate" not in said
    assert not PurchaseOrder.objects.exists()


def test_only_council_staff_record_purchase_orders(essex):
    council, package = essex
    from tests.factories import make_user

    referrer = make_user(council, "referrer")
    assert _record(referrer, package, "PO-2001").status_code == 403
    assert not PurchaseOrder.objects.exists()


def _letter_text(document):
    pages = pypdf.PdfReader(io.BytesIO(bytes(document.content))).pages
    return " ".join("\n".join(page.extract_text() for page in pages).split())


def test_a_recorded_purchase_order_remakes_the_commencement_letter_keeping_the_old_one(
    essex, broker
):
    _, package = essex
    assert _record(broker, package, "PO-2026-004512").status_code == 302
    first, second = PlacementDocument.objects.filter(
        package=package, kind=DocumentKind.COMMENCEMENT_LETTER
    ).order_by("created_at", "pk")
    assert "To follow" in _letter_text(first) and "PO-2026-004512" not in _letter_text(first)
    remade = _letter_text(second)
    assert "PO-2026-004512" in remade and "£21.50" in remade
    assert second.provider == package.awarded_provider and second.created_by == broker
    assert first.filename != second.filename
    page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    assert first.filename in page and second.filename in page
