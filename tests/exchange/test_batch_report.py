"""The batch report workbook (docs/policies.md §4.2; seeds 001, 002): one per area per batch,
provider-view columns only, urgent flagged, filterable, signed, attached to the email."""

import io
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carebroker.exchange.batch_report import (
    ABOUT_SHEET,
    HEADER_ROW,
    HEADERS,
    REPORT_SHEET,
    batch_report_xlsx,
    batch_reports,
    signature,
)
from carebroker.exchange.provider_lists import send_batch_reports
from carebroker.outbox.models import Notice
from tests.exchange.batch_world import BATCH_DAY, FRIDAY_16, essex_batch

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> tuple[openpyxl.Workbook, list[dict[str, object]]]:
    book = openpyxl.load_workbook(BytesIO(content))
    sheet = book[REPORT_SHEET]
    header = [c.value for c in sheet[HEADER_ROW]]
    rows = [
        dict(zip(header, values, strict=True))
        for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]
    return book, rows


def test_one_report_per_area_listing_the_batch_and_never_changes_to_existing_services():
    """§4.2: North and Mid each get a workbook of their own batch packages; the change to an
    existing service (M4004) is on neither; named 'YYYY MM DD <area> batch report.xlsx'."""
    world = essex_batch()
    workbooks = {w.area: w for w in batch_reports(world.council, BATCH_DAY)}
    assert set(workbooks) == {"North", "Mid"}
    assert workbooks["North"].filename == "2026 11 20 North batch report.xlsx"
    assert workbooks["North"].cases == ("M4001", "M4002", "M4003")
    assert workbooks["Mid"].cases == ("M4005",)
    _, rows = rows_of(workbooks["North"].content)
    assert [r["Mosaic ID"] for r in rows] == ["M4001", "M4002", "M4003"]


def test_no_batch_on_a_day_without_one_writes_no_report():
    """§4.2: no packages, no report (Saturday has no batch)."""
    world = essex_batch()
    assert batch_reports(world.council, BATCH_DAY + timedelta(days=1)) == []


def test_urgent_tsa_enhanced_and_provider_view_columns():
    """Seed 001: urgent = preferred start within 3 working days of the report (M4001 starts
    Tuesday); TSA and enhanced-rate columns; postcode district, never the full postcode;
    hours, support type, specialism, preferred start; no names anywhere."""
    world = essex_batch()
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    book, rows = rows_of(north.content)
    assert [c for c in HEADERS] == list(rows[0])
    by_case = {r["Mosaic ID"]: r for r in rows}
    assert by_case["M4001"]["Urgent"] == "URGENT"
    assert by_case["M4002"]["Urgent"] is None
    assert by_case["M4003"]["TSA"] == "TSA" and by_case["M4003"]["Enhanced rate"] == "Enhanced"
    assert by_case["M4002"]["TSA"] is None and by_case["M4002"]["Enhanced rate"] is None
    assert by_case["M4002"]["Postcode district"] == "CO2"
    assert by_case["M4003"]["Hours per week"] == 10.5
    assert by_case["M4003"]["Specialism"] == "dementia; end of life"
    assert by_case["M4003"]["Support type"] == "personal care"
    assert by_case["M4002"]["Preferred start"].date().isoformat() == "2026-12-14"
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    for package in world.packages.values():
        assert package.person.name not in text
        assert package.person.postcode not in text
        assert package.person.allocated_worker not in text


def test_title_has_the_interest_deadline_and_the_sheet_filters_and_freezes_its_header():
    """Seed 001: sortable by postcode or specialism: an autofilter over the header row, the
    header frozen; the title row gives Monday 10:00 (Friday's batch, §4.2); the tick column
    takes Y from a list."""
    world = essex_batch()
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    book, _ = rows_of(north.content)
    sheet = book[REPORT_SHEET]
    assert "Interest by 10:00 on Monday 23 November 2026" in sheet["A1"].value
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:J{HEADER_ROW + 3}"
    assert sheet.freeze_panes == f"C{HEADER_ROW + 1}"
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"Y"' and str(validation.sqref) == "A4:A6"
    assert book.sheetnames == [REPORT_SHEET, ABOUT_SHEET]


def test_about_sheet_carries_council_area_date_cases_and_their_signature():
    """A returned sheet is recognised as ours: the About sheet's signature is the HMAC of
    the council, the area, the date and the Mosaic IDs; another area signs differently."""
    world = essex_batch()
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    about = openpyxl.load_workbook(BytesIO(north.content))[ABOUT_SHEET]
    values = {row[0]: row[1] for row in about.iter_rows(min_row=2, max_row=7, values_only=True)}
    cases = ("M4001", "M4002", "M4003")
    assert values["Council"] == world.council.slug
    assert values["Area"] == "North" and values["Batch date"] == "2026-11-20"
    assert values["Signature"] == signature(world.council.slug, "North", BATCH_DAY, cases)
    assert values["Signature"] != signature(world.council.slug, "Mid", BATCH_DAY, cases)
    assert [r[0] for r in about.iter_rows(min_row=10, values_only=True)] == list(cases)


def test_batch_report_xlsx_for_given_packages_computes_the_deadline_from_the_policy():
    """Without a deadline given, the policy's interest deadline from the issue time is used."""
    world = essex_batch(issue=False)
    content = batch_report_xlsx(world.council, "Mid", [world.packages["M4005"]], FRIDAY_16)
    book, rows = rows_of(content)
    assert [r["Mosaic ID"] for r in rows] == ["M4005"]
    assert "10:00 on Monday 23 November 2026" in book[REPORT_SHEET]["A1"].value


def test_command_writes_the_files_and_refuses_a_bad_date(tmp_path):
    """`carebroker batch-report --council C --date D --out DIR`."""
    world = essex_batch()
    printed = io.StringIO()
    call_command(
        "batch_report",
        council=world.council.slug,
        date="2026-11-20",
        out=str(tmp_path),
        stdout=printed,
    )
    assert "North batch report.xlsx (3 package(s))" in printed.getvalue()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["2026 11 20 Mid batch report.xlsx", "2026 11 20 North batch report.xlsx"]
    with pytest.raises(CommandError, match="--date"):
        call_command("batch_report", council=world.council.slug, date="20/11", out=str(tmp_path))


def test_batch_email_carries_the_area_workbook_for_each_tier1_provider():
    """The worker's 16:00 batch notice (exchange/provider_lists.py) attaches the area's workbook,
    the same for every Tier 1 provider of North; a Tier 2 provider gets none."""
    world = essex_batch()
    assert send_batch_reports(FRIDAY_16)
    north = Notice.objects.filter(kind="batch_report").order_by("id")
    attachments = {
        notice.to[0]: notice.attachments.get() for notice in north if "North" in notice.body
    }
    emails = {p.contacts.get().email for p in world.tier1}
    assert set(attachments) == emails
    contents = {bytes(a.content) for a in attachments.values()}
    assert len(contents) == 1, "every Tier 1 provider of the area gets the same workbook"
    [attachment] = list(attachments.values())[:1]
    assert attachment.filename == "2026 11 20 North batch report.xlsx"
    _, rows = rows_of(contents.pop())
    assert [r["Mosaic ID"] for r in rows] == ["M4001", "M4002", "M4003"]
    tier2 = world.tier2.contacts.get().email
    assert not any(tier2 in notice.to for notice in Notice.objects.filter(kind="batch_report"))
