"""The winner's documents: Provider Confirmation Form (Kent appendix 5), Service Delivery
Order (Kent step 10), Individual Placement Agreement (Leicestershire step 20). They carry
the full record; only the awarded provider gets them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carebroker.placements.documents import DocumentRefused, make_document
from carebroker.placements.models import PlacementDocument
from tests.placements.conftest import (
    ADDRESS,
    CONTACT,
    CONTACT_PHONE,
    FULL_NAME,
    PHONE,
    POSTCODE,
    docx_text,
    flat,
    page_ink,
    pdf_text,
)


def _by_extension(documents):
    return {document.filename.rsplit(".", 1)[1]: document for document in documents}


def _award(package, provider, now):
    package.awarded_provider = provider
    package.awarded_at = now
    package.status = "awarded"
    package.save()


def test_confirmation_form_asks_for_start_date_call_times_and_acceptance(kent, now):
    """The Kent form (PDF and DOCX) names the package and client and has room for the
    start date, the call times of each day and the provider's acceptance."""
    _, package, alder, _ = kent
    _award(package, alder, now)
    files = _by_extension(make_document(package, "confirmation_form", now=now))
    assert set(files) == {"pdf", "docx"}
    for text in (
        flat(pdf_text(bytes(files["pdf"].content))),
        flat(docx_text(bytes(files["docx"].content))),
    ):
        assert "M1001" in text and "Provider Confirmation Form" in text
        assert FULL_NAME in text and POSTCODE in text and PHONE in text
        assert "Confirmed start date" in text
        assert "Monday" in text and "Sunday" in text
        assert "we accept this package of care" in text
        assert "Signature" in text
    assert all(count > 500 for count in page_ink(bytes(files["pdf"].content)))
    assert files["pdf"].filename == (
        "2026 11 23 M1001 Provider Confirmation Form for Alder Homecare.pdf"
    )
    assert files["docx"].filename.endswith("Provider Confirmation Form for Alder Homecare.docx")


def test_confirmation_form_fills_in_what_the_provider_returned(kent, now):
    """Given the confirmed start and call times, the form shows them."""
    _, package, alder, _ = kent
    _award(package, alder, now)
    files = _by_extension(
        make_document(
            package,
            "confirmation_form",
            now=now,
            start=date(2026, 12, 9),
            call_times={"Tuesday": "08:00 for 45 minutes"},
        )
    )
    for text in (pdf_text(bytes(files["pdf"].content)), docx_text(bytes(files["docx"].content))):
        assert "Wednesday 9 December 2026" in flat(text)
        assert "08:00 for 45 minutes" in flat(text)


def test_confirmation_form_refuses_a_day_that_is_not_one(kent, now):
    """call_times keys are days of the week: anything else is named in the refusal."""
    _, package, alder, _ = kent
    _award(package, alder, now)
    with pytest.raises(DocumentRefused, match="^call_times: 'Funday' is not a day"):
        make_document(package, "confirmation_form", now=now, call_times={"Funday": "09:00"})


def test_service_delivery_order_states_package_hours_rate_and_start(kent, now):
    """The SDO orders the package from the winner: hours, hourly rate (its framework rate
    when none is given), weekly cost and start date."""
    _, package, alder, _ = kent
    _award(package, alder, now)
    (sdo,) = make_document(package, "sdo", now=now)
    text = flat(pdf_text(bytes(sdo.content)))
    assert "Service Delivery Order" in text and "M1001" in text
    assert "Alder Homecare" in text and FULL_NAME in text
    assert "10.5" in text
    assert "£21.50" in text
    assert "£225.75" in text  # 10.5 hours x £21.50
    assert "Monday 7 December 2026" in text
    assert all(count > 500 for count in page_ink(bytes(sdo.content)))
    assert sdo.filename == "2026 11 23 M1001 Service Delivery Order for Alder Homecare.pdf"


def test_service_delivery_order_takes_the_rate_and_start_given(kent, now):
    """A rate and a confirmed start given to the SDO win over the defaults."""
    _, package, alder, _ = kent
    _award(package, alder, now)
    (sdo,) = make_document(package, "sdo", now=now, rate=Decimal("20"), start=date(2026, 12, 14))
    text = flat(pdf_text(bytes(sdo.content)))
    assert "£20.00" in text and "£210.00" in text
    assert "Monday 14 December 2026" in text


def test_service_delivery_order_without_any_rate_is_refused(kent, now):
    """No rate given, none offered and no framework rate: refused, naming the rate."""
    _, package, alder, _ = kent
    alder.framework_hourly_rate = None
    alder.save()
    _award(package, alder, now)
    with pytest.raises(DocumentRefused, match="^rate: no hourly rate"):
        make_document(package, "sdo", now=now)
    assert not PlacementDocument.objects.exists()


def test_ipa_docx_and_pdf_carry_the_full_record(awarded, now):
    """The IPA (DOCX to edit, PDF to keep) has the child's name, full date of birth, full
    address and primary contact (seed 004 step 20), Part C and both signature blocks."""
    _, package, _, _ = awarded
    files = _by_extension(make_document(package, "ipa", now=now))
    assert set(files) == {"docx", "pdf"}
    for text in (
        flat(docx_text(bytes(files["docx"].content))),
        flat(pdf_text(bytes(files["pdf"].content))),
    ):
        assert "Individual Placement Agreement" in text and "M1001" in text
        assert FULL_NAME in text
        assert "Friday 2 March 2012" in text
        assert ADDRESS in text and POSTCODE in text
        assert CONTACT in text and CONTACT_PHONE in text
        assert "Part C" in text
        assert "Signed for the Provider" in text
        assert "Signed on behalf of the Authority" in text
        assert "£21.50" in text
    assert all(count > 500 for count in page_ink(bytes(files["pdf"].content)))


def test_ipa_is_named_with_initials_and_mosaic_id(awarded, now):
    """ "YYYY MM DD (Child's initials & Mosaic ID) IPA for (name of provider)" (seed 004)."""
    _, package, _, _ = awarded
    names = {document.filename for document in make_document(package, "ipa", now=now)}
    assert names == {
        "2026 11 23 (A.L. & M1001) IPA for Alder Homecare.docx",
        "2026 11 23 (A.L. & M1001) IPA for Alder Homecare.pdf",
    }


@pytest.mark.parametrize("kind", ["confirmation_form", "sdo", "ipa"])
def test_winner_documents_are_refused_before_the_award(leics, now, kind):
    """No award yet: the full record goes to nobody (docs/policies.md §6.2)."""
    _, package, alder, _ = leics
    with pytest.raises(DocumentRefused, match="^package: M1001 has not been awarded"):
        make_document(package, kind, now=now, provider=alder)


@pytest.mark.parametrize("kind", ["confirmation_form", "sdo", "ipa"])
def test_winner_documents_are_refused_for_a_provider_that_did_not_win(awarded, now, kind):
    """Asked for the losing provider, the winner's documents are refused, naming both."""
    _, package, _, birch = awarded
    with pytest.raises(DocumentRefused, match="^provider: .*awarded to Alder Homecare, not Birch"):
        make_document(package, kind, now=now, provider=birch)
    assert not PlacementDocument.objects.exists()


def test_a_provider_name_with_an_ampersand_renders_in_the_docx(awarded, now):
    """ "Birch Care & Support" is escaped in the Word XML, not a broken document."""
    _, package, _, birch = awarded
    _award(package, birch, now)
    files = _by_extension(make_document(package, "ipa", now=now))
    assert "Birch Care & Support" in docx_text(bytes(files["docx"].content))
