"""The tracker export (seed 004 steps 8-30): open, filled and closed cases with days since
referral and days to a full package, the IPAs created, and one row per provider
approached with its answer code ("Y - £24.10", "Y - part", "N (X)", D1-D4)."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.management import call_command

from carebroker.engine.inputs import Answer, Decision
from carebroker.exchange.tracker import answer_code, tracker_xlsx
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.sourcing import runner
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest
from tests.exchange.replies_world import TUESDAY_11, leics_tender

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 10:00: the 5 working day deadline (§6.3); the export a day later.
DEADLINE = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
EXPORTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sheet_rows(content: bytes, title: str) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(BytesIO(content))[title]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.fixture
def tracked():
    """L5001 filled by best price (Oak 1 at £24.10; Oak 2 at £25.00 gets D1); L5002 open
    (Oak 1 said N (C), Oak 2 silent: chased); a third case cancelled."""
    world = leics_tender()
    oak1, oak2 = world.providers

    def answer(package, provider, **fields):
        runner.record_answer(package, Answer(at=TUESDAY_11, provider=str(provider.pk), **fields))

    answer(world.package, oak1, action="offer", coverage="full", rate=Decimal("24.10"))
    answer(world.package, oak2, action="offer", coverage="full", rate=Decimal("25.00"))
    answer(world.other, oak1, action="decline", reason="C")
    advance_due(DEADLINE)
    PlacementDocument.objects.create(
        council=world.council,
        package=world.package,
        provider=oak1,
        kind=DocumentKind.IPA,
        filename="2026 11 30 (L5001) IPA for Oak Short Breaks 1.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7 made up",
        created_at=DEADLINE + timedelta(hours=1),
    )
    return world


def test_filled_sheet_has_the_winner_rate_and_days_to_a_full_package(tracked):
    """Referred Monday 23 November, filled Monday 30 November: 7 calendar days (the seed's
    tracker counts calendar days), 5 working days."""
    rows = sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "Filled")
    [filled] = rows
    assert filled["Mosaic ID"] == "L5001"
    assert filled["Awarded to"] == "Oak Short Breaks 1"
    assert filled["Hourly rate"] == 24.10
    assert filled["Filled"].date() == date(2026, 11, 30)
    assert filled["Days taken to full support package"] == 7
    assert filled["Working days taken to full support package"] == 5


def test_open_sheet_counts_days_since_referral_to_the_export_date(tracked):
    """L5002 is still open on Tuesday 1 December: 8 days since the referral; its next
    deadline is the chase's."""
    [open_row] = sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "Open")
    assert open_row["Mosaic ID"] == "L5002"
    assert open_row["Days since referral received"] == 8
    assert open_row["Working days since referral received"] == 6
    assert open_row["Next deadline"] > DEADLINE.replace(tzinfo=None)


def test_providers_approached_have_their_answer_codes(tracked):
    """One row per provider per case: the winner 'Awarded', the higher price 'D1', the
    decline 'N (C)', the silent provider chased and still awaited."""
    rows = sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "Providers approached")
    codes = {(r["Mosaic ID"], r["Provider"]): r["Answer"] for r in rows}
    assert codes == {
        ("L5001", "Oak Short Breaks 1"): "Awarded",
        ("L5001", "Oak Short Breaks 2"): "D1",
        ("L5002", "Oak Short Breaks 1"): "N (C)",
        ("L5002", "Oak Short Breaks 2"): "Awaiting answer",
    }


def test_closed_sheet_lists_a_cancelled_case_with_its_date(tracked):
    """A case the council cancelled is closed, with the day and the reason."""
    runner.do_council(
        tracked.other, Decision(at=EXPORTED - timedelta(hours=1), actor="broker", action="cancel")
    )
    [closed] = sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "Closed")
    assert (closed["Mosaic ID"], closed["Status"]) == ("L5002", "Cancelled")
    assert closed["Closed"].date() == date(2026, 12, 1)
    assert closed["Days since referral received"] == 8
    assert not sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "Open")


def test_ipas_created_lists_the_ipa_kept_with_the_package(tracked):
    """The IPAs Created tab: case, provider, date, file name; not yet signed."""
    [ipa] = sheet_rows(tracker_xlsx(tracked.council, EXPORTED), "IPAs created")
    assert (ipa["Mosaic ID"], ipa["Provider"]) == ("L5001", "Oak Short Breaks 1")
    assert ipa["File name"].endswith("IPA for Oak Short Breaks 1.pdf")
    assert ipa["Signed IPA received"] is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"outcome": "offer", "coverage": "full", "rate": Decimal("24.1")}, "Y - £24.10"),
        ({"outcome": "offer", "coverage": "part"}, "Y - part"),
        ({"outcome": "decline", "reason": "X"}, "N (X)"),
        ({"outcome": "offer", "coverage": "full", "not_awarded": "D3"}, "D3"),
        ({"outcome": "expired"}, "No response"),
        ({"outcome": "query"}, "Query"),
    ],
)
def test_answer_codes_are_the_trackers(fields, code):
    """Seed 004 step 17-18: the codes the tracker writes under each provider."""
    assert answer_code(SourcingRequest(**fields), awarded=False) == code


def test_command_writes_the_workbook_with_its_five_sheets(tracked, tmp_path):
    """`carebroker export-tracker --council C --out FILE`."""
    out = tmp_path / "tracker.xlsx"
    call_command(
        "export_tracker",
        council=tracked.council.slug,
        out=str(out),
        at="2026-12-01T12:00",
        stdout=io.StringIO(),
    )
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Open", "Filled", "Closed", "IPAs created", "Providers approached"]
    assert book["Open"].freeze_panes == "B2"
