"""The standard messages as documents: missing information (Kent appendix 3), decline
notice (Kent appendix 6), not chosen (Essex and Leicestershire, with D1-D4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carebroker.placements.documents import DocumentRefused, make_document
from carebroker.providers.models import ProviderKind
from tests.placements.conftest import FULL_NAME, POSTCODE, flat, page_ink, pdf_text


def test_missing_information_lists_exactly_what_the_check_found_missing(kent, now):
    """The message to the referrer lists each missing document by its name, and no other."""
    _, package, _, _ = kent
    referral = package.referral
    referral.missing = ["charging_letter", "team_manager_approval"]
    referral.save()
    (message,) = make_document(package, "missing_information", now=now)
    text = flat(pdf_text(bytes(message.content)))
    assert "M1001" in text
    assert "Signed charging letter" in text
    assert "Team Manager approval" in text
    for present in ("Financial authorisation", "Purchasing referral form", "Risk assessment"):
        assert present not in text
    assert FULL_NAME not in text
    assert all(count > 500 for count in page_ink(bytes(message.content)))
    assert message.filename == "2026 11 23 M1001 Missing information.pdf"
    assert message.provider is None


def test_missing_information_with_a_free_text_note(kent, now):
    """The free text section says what is needed (seed 003 step 2)."""
    _, package, _, _ = kent
    (message,) = make_document(
        package, "missing_information", now=now, missing=["bica"], note="The BICA is from 2019."
    )
    text = flat(pdf_text(bytes(message.content)))
    assert "BICA up to date" in text and "The BICA is from 2019." in text


def test_missing_information_with_nothing_missing_is_refused(kent, now):
    """Nothing missing, nothing to send: refused, naming the missing field."""
    _, package, _, _ = kent
    with pytest.raises(DocumentRefused, match="^missing: nothing is recorded as missing"):
        make_document(package, "missing_information", now=now)


def test_decline_notice_goes_to_the_provider_copying_its_senior(kent, now):
    """Kent's decline e-mail (appendix 6) to the provider, a senior representative copied
    (seed 003, Decline), with the reason and when; no personal details."""
    _, package, alder, _ = kent
    declined = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    (notice,) = make_document(
        package,
        "decline_notice",
        now=now,
        provider=alder,
        reason="No carers free in LE18",
        declined_at=declined,
    )
    text = flat(pdf_text(bytes(notice.content)))
    assert "M1001" in text and "Alder Homecare" in text
    assert "Sam Senior" in text
    assert "No carers free in LE18" in text
    assert "Monday 23 November 2026, 09:30" in text
    assert FULL_NAME not in text and POSTCODE not in text
    assert all(count > 500 for count in page_ink(bytes(notice.content)))
    assert notice.filename == "2026 11 23 M1001 Decline notice to Alder Homecare.pdf"


def test_other_contracted_providers_get_no_decline_notice(kent, now):
    """docs/policies.md §5.3: other contracted providers are not sent a decline notice."""
    _, package, alder, _ = kent
    alder.kind = ProviderKind.OTHER_CONTRACTED
    alder.save()
    with pytest.raises(DocumentRefused, match="^provider: .*other contracted"):
        make_document(package, "decline_notice", now=now, provider=alder)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("D1", "lower price"),
        ("D2", "part of the package"),
        ("D3", "mini-competition"),
        ("D4", "filled elsewhere"),
    ],
)
def test_not_chosen_gives_the_code_and_what_it_means(awarded, now, code, says):
    """A losing offerer is told it was not chosen, with its D1-D4 code (seed 004)."""
    _, package, _, birch = awarded
    (notice,) = make_document(package, "not_chosen", now=now, provider=birch, code=code)
    text = flat(pdf_text(bytes(notice.content)))
    assert "M1001" in text and "not been chosen" in text
    assert code in text and says in text
    assert FULL_NAME not in text
    assert notice.filename == "2026 11 23 M1001 Not chosen notice to Birch Care & Support.pdf"


def test_not_chosen_without_a_code_for_essex(awarded, now):
    """Essex gives no code (seed 001 step 5): the notice says the package went elsewhere."""
    _, package, _, birch = awarded
    (notice,) = make_document(package, "not_chosen", now=now, provider=birch)
    text = flat(pdf_text(bytes(notice.content)))
    assert "awarded to another provider" in text
    assert "Code" not in text
    assert all(count > 500 for count in page_ink(bytes(notice.content)))


def test_not_chosen_refuses_an_unknown_code_and_the_winner(awarded, now):
    """An unknown code without a reason is refused, naming the code; so is the winner."""
    _, package, alder, birch = awarded
    with pytest.raises(DocumentRefused, match="^code: unknown code 'D9'"):
        make_document(package, "not_chosen", now=now, provider=birch, code="D9")
    with pytest.raises(DocumentRefused, match="^provider: Alder Homecare was awarded"):
        make_document(package, "not_chosen", now=now, provider=alder, code="D1")
