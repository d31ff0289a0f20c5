"""Defaults read from the recorded sourcing requests: the winner's offered rate and start,
a loser's not-awarded code, a decline's reason and time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from carebroker.placements.documents import make_document
from carebroker.sourcing.models import SourcingRequest
from tests.placements.conftest import flat, pdf_text

SENT = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def _request(package, provider, seq, **fields):
    fields.setdefault("outcome", "offer")
    return SourcingRequest.objects.create(
        package=package,
        seq=seq,
        provider=provider,
        stage="framework",
        round="offer",
        sent_at=SENT,
        deadline=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        responded_at=datetime(2026, 11, 18, 14, 0, tzinfo=UTC),
        **fields,
    )


def test_ipa_takes_the_rate_and_start_the_winner_offered(awarded, now):
    """Leicestershire awards on best price: the IPA's rate is the winner's offered rate
    (not its framework rate), its start the offered start."""
    _, package, alder, _ = awarded
    _request(package, alder, 1, rate=Decimal("19.75"), coverage="full", start=date(2026, 12, 9))
    pdf = next(d for d in make_document(package, "ipa", now=now) if d.filename.endswith(".pdf"))
    text = flat(pdf_text(bytes(pdf.content)))
    assert "£19.75" in text and "£21.50" not in text
    assert "Wednesday 9 December 2026" in text


@pytest.mark.parametrize(("recorded", "code"), [("D2", "D2"), ("higher_price", "D1")])
def test_not_chosen_takes_the_recorded_code(awarded, now, recorded, code):
    """The code the award recorded on the loser's request (a D code, or the reason name a
    policy without codes records) is the one the notice gives."""
    _, package, _, birch = awarded
    _request(package, birch, 1, rate=Decimal("23"), coverage="full", not_awarded=recorded)
    (notice,) = make_document(package, "not_chosen", now=now, provider=birch)
    text = flat(pdf_text(bytes(notice.content)))
    assert f"Code {code}" in text


def test_decline_notice_takes_the_recorded_reason_and_time(kent, now):
    """The reason and time of the recorded decline go into the notice."""
    _, package, alder, _ = kent
    _request(package, alder, 1, outcome="decline", reason="No capacity on Sundays")
    (notice,) = make_document(package, "decline_notice", now=now, provider=alder)
    text = flat(pdf_text(bytes(notice.content)))
    assert "No capacity on Sundays" in text
    assert "Wednesday 18 November 2026, 14:00" in text
