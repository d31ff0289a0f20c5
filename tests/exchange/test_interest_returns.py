"""Ticked returns (docs/policies.md §4.2; seed 002): a provider's batch report sent back with
ticks, or a list of Mosaic IDs, is interest at the time it arrived; anything wrong is
refused with the row and the problem, and nothing is recorded."""

import io
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carebroker.exchange.batch_report import ABOUT_SHEET, HEADER_ROW, REPORT_SHEET, batch_reports
from carebroker.exchange.interest import InterestImporter
from carebroker.exchange.sheets import ImportRefused
from carebroker.outbox.models import Notice
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.exchange.batch_world import BATCH_DAY, MONDAY_10, essex_batch

pytestmark = pytest.mark.django_db

MONDAY_0930 = MONDAY_10 - timedelta(minutes=30)


@pytest.fixture
def world():
    return essex_batch()


@pytest.fixture
def north_sheet(world):
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    return north.content


def ticked(content: bytes, ticks: dict[str, str], path, *, edit=None):
    """Tick the sheet as a provider would in Excel (openpyxl), save it under `path`."""
    book = openpyxl.load_workbook(BytesIO(content))
    sheet = book[REPORT_SHEET]
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        if row[1].value in ticks:
            row[0].value = ticks[row[1].value]
    if edit:
        edit(book)
    book.save(path)
    return path


def snapshot():
    return (
        sorted(SourcingRequest.objects.values_list("id", "outcome", "responded_at", "late")),
        TimelineEvent.objects.count(),
        Notice.objects.count(),
    )


def interest_of(world, case, provider):
    return SourcingRequest.objects.get(
        package=world.packages[case], provider=provider, round="interest"
    )


def test_round_trip_ticks_are_interest_at_the_time_the_file_arrived(world, north_sheet, tmp_path):
    """Export the North batch, tick two packages (Y and x) in openpyxl, import at Monday
    09:30: both interest requests record interest at 09:30; the unticked one stays open."""
    alder = world.tier1[0]
    path = ticked(north_sheet, {"M4002": "Y", "M4003": "x"}, tmp_path / "back.xlsx")
    report = InterestImporter(world.council, alder, now=MONDAY_0930).handle(path)
    assert report.recorded == ["M4002", "M4003"] and not report.late
    for case in ("M4002", "M4003"):
        request = interest_of(world, case, alder)
        assert (request.outcome, request.responded_at) == ("interest", MONDAY_0930)
    assert interest_of(world, "M4001", alder).outcome == "open"
    assert interest_of(world, "M4002", world.tier1[1]).outcome == "open"


def test_the_same_return_twice_records_once(world, north_sheet, tmp_path):
    """Sent twice (a resent email), the second import records nothing more."""
    alder = world.tier1[0]
    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx")
    InterestImporter(world.council, alder, now=MONDAY_0930).handle(path)
    before = snapshot()
    again = InterestImporter(world.council, alder, now=MONDAY_0930).handle(path)
    assert again.already == ["M4002"] and not again.recorded
    assert snapshot() == before


def test_late_tick_is_kept_as_late_interest(world, north_sheet, tmp_path):
    """§4.2: while the round runs (Alder 2 asked in time, its ISP is out), a tick arriving
    after 10:00 is kept as late interest for a further offer round."""
    alder, other = world.tier1
    on_time = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "other.xlsx")
    InterestImporter(world.council, other, now=MONDAY_0930).handle(on_time)
    late = MONDAY_10 + timedelta(minutes=20)
    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx")
    report = InterestImporter(world.council, alder, now=late).handle(path)
    assert report.late == ["M4002"] and not report.recorded
    request = interest_of(world, "M4002", alder)
    assert (request.outcome, request.late, request.responded_at) == ("interest", True, late)
    assert "kept for a further offer round" in "\n".join(report.lines())


def test_late_tick_after_the_batch_ended_is_reported_not_counted(world, north_sheet, tmp_path):
    """Nobody asked by 10:00: the batch ended (§4.2) and the engine does not take the late
    tick; the return says so and records nothing for it."""
    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx")
    report = InterestImporter(
        world.council, world.tier1[0], now=MONDAY_10 + timedelta(minutes=20)
    ).handle(path)
    assert [case for case, _ in report.not_counted] == ["M4002"]
    assert interest_of(world, "M4002", world.tier1[0]).outcome == "expired"


def refused(world, provider, path, match):
    before = snapshot()
    with pytest.raises(ImportRefused, match=match):
        InterestImporter(world.council, provider, now=MONDAY_0930).handle(path)
    assert snapshot() == before, "a refused return changed the database"


def test_a_changed_signature_is_refused_and_nothing_recorded(world, north_sheet, tmp_path):
    """A sheet whose About sheet was changed is not ours."""

    def forge(book):
        book[ABOUT_SHEET]["B3"] = "Mid"

    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx", edit=forge)
    refused(world, world.tier1[0], path, "signature does not match")


def test_a_sheet_without_the_about_sheet_is_refused(world, north_sheet, tmp_path):
    """The tick column without our About sheet: not a batch report of ours."""

    def strip(book):
        del book[ABOUT_SHEET]

    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx", edit=strip)
    refused(world, world.tier1[0], path, "not a batch report of ours")


def test_a_provider_not_tier1_in_the_area_is_refused(world, north_sheet, tmp_path):
    """The batch goes to Tier 1 only (seed 002): a Tier 2 provider of North, or a Tier 1
    provider of Mid only, cannot return the North batch."""
    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx")
    refused(world, world.tier2, path, "not a Tier 1 provider in North")
    refused(world, world.mid_tier1, path, "not a Tier 1 provider in North")


def test_an_unknown_case_number_names_its_row(world, north_sheet, tmp_path):
    """A Mosaic ID typed over with one that is no package: the row is named; the good tick
    on another row is not recorded either."""

    def retype(book):
        book[REPORT_SHEET]["B5"] = "M9999"

    path = ticked(north_sheet, {"M4001": "Y", "M4002": "Y"}, tmp_path / "back.xlsx", edit=retype)
    refused(world, world.tier1[0], path, r"row 5, Mosaic ID: 'M9999' is not on the North batch")


def test_return_errors_do_not_tell_which_mosaic_ids_exist(world, tmp_path):
    """Issue 12 (low): a listed ID that is no package and one that is a package of the
    council never sent to this provider get the same words, so a provider cannot probe
    which Mosaic IDs the council holds."""
    messages = {}
    for case in ("M9999", "M4004"):
        path = tmp_path / f"{case}.csv"
        path.write_text(f"Mosaic ID\n{case}\n", encoding="utf-8")
        with pytest.raises(ImportRefused) as caught:
            InterestImporter(world.council, world.tier1[0], now=MONDAY_0930).handle(path)
        messages[case] = str(caught.value).replace(case, "ID")
    assert messages["M9999"] == messages["M4004"]
    assert "no package" not in messages["M9999"]


def test_a_case_not_on_that_batch_names_its_row(world, north_sheet, tmp_path):
    """A row added for a package of another area's batch (M4005, Mid)."""

    def add(book):
        book[REPORT_SHEET].append(["Y", "M4005"])

    path = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx", edit=add)
    refused(world, world.tier1[0], path, r"row 7, Mosaic ID: 'M4005' is not on the North batch")


def test_a_tick_that_is_not_a_tick_names_its_row(world, north_sheet, tmp_path):
    """'maybe' under the tick column."""
    path = ticked(north_sheet, {"M4002": "maybe"}, tmp_path / "back.xlsx")
    refused(world, world.tier1[0], path, r"row 5, Tick to request ISP: must be Y or blank")


def test_a_mangled_file_is_refused(world, north_sheet, tmp_path):
    """Half a workbook (the download cut short)."""
    path = tmp_path / "back.xlsx"
    path.write_bytes(north_sheet[: len(north_sheet) // 2])
    refused(world, world.tier1[0], path, "not a readable .xlsx")


def test_a_plain_list_of_case_numbers_is_interest(world, tmp_path):
    """A CSV listing Mosaic IDs (no tick column) is interest in each."""
    alder = world.tier1[1]
    path = tmp_path / "list.csv"
    path.write_text("Mosaic ID\nM4001\nM4003\n", encoding="utf-8")
    report = InterestImporter(world.council, alder, now=MONDAY_0930).handle(path)
    assert report.recorded == ["M4001", "M4003"]
    assert interest_of(world, "M4003", alder).outcome == "interest"


def test_a_plain_list_with_a_case_never_sent_to_the_provider_is_refused(world, tmp_path):
    """M4004 (a change to an existing service) was never on a batch report."""
    path = tmp_path / "list.csv"
    path.write_text("Mosaic ID\nM4001\nM4004\n", encoding="utf-8")
    refused(world, world.tier1[0], path, r"row 3, Mosaic ID: 'M4004' is not on a batch report sent")


def test_command_prints_what_was_recorded_and_refuses_with_the_row(world, north_sheet, tmp_path):
    """`carebroker import-interest FILE --provider P --council C --at ISO`."""
    alder = world.tier1[0]
    good = ticked(north_sheet, {"M4002": "Y"}, tmp_path / "back.xlsx")
    printed = io.StringIO()
    call_command(
        "import_interest",
        str(good),
        council=world.council.slug,
        provider=alder.name,
        at="2026-11-23T09:30",
        stdout=printed,
    )
    assert "M4002: interest recorded" in printed.getvalue()
    assert interest_of(world, "M4002", alder).responded_at == MONDAY_0930
    bad = ticked(north_sheet, {"M4003": "maybe"}, tmp_path / "bad.xlsx")
    with pytest.raises(CommandError, match="nothing recorded:\nrow 6"):
        call_command("import_interest", str(bad), council=world.council.slug, provider=alder.name)


def test_a_file_whose_zip_directory_points_before_its_start_is_refused(
    world, north_sheet, tmp_path
):
    """The end record says the directory starts 64 KiB later than it does, so each member's
    offset comes out negative and zipfile raises ValueError ("negative seek value") on
    opening it; hypothesis found this in CI (test_fuzz_importers). Refused, not a crash."""
    raw = bytearray(north_sheet)
    end = raw.rindex(b"PK\x05\x06")
    start = int.from_bytes(raw[end + 16 : end + 20], "little")
    raw[end + 16 : end + 20] = (start + 65536).to_bytes(4, "little")
    path = tmp_path / "back.xlsx"
    path.write_bytes(bytes(raw))
    refused(world, world.tier1[0], path, "not a readable .xlsx")
