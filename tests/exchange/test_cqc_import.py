"""The CQC care directory check: registration and ratings matched by location ID, with the
report of mismatches and of providers whose rating no longer allows placement (§5.5)."""

from datetime import date

import openpyxl
import pytest

from carebroker.exchange.cqc import CqcDirectoryImporter
from carebroker.exchange.directory import ProviderDirectoryImporter
from carebroker.exchange.sheets import ImportRefused
from carebroker.providers.models import Provider
from tests.exchange.conftest import EXAMPLES
from tests.factories import make_council, make_provider

CQC_HEADER = "Location ID,Name,Registration status,Latest overall rating,Publication date"


@pytest.fixture
def kent(db):
    council = make_council("kent-oppd")
    make_provider(council, "Hazel Cluster Care", cqc_location_id="1-200000001")
    make_provider(
        council, "Juniper Home Care", kind="non_contracted", cqc_location_id="1-200000002"
    )
    make_provider(
        council, "Larch Other Care", kind="other_contracted", cqc_location_id="1-200000003"
    )
    make_provider(council, "Maple Unlisted Care", cqc_location_id="1-200000004")
    make_provider(council, "Oak No Id Care", cqc_location_id="")
    return council


def _cqc_state() -> dict[str, tuple[bool, str, date | None]]:
    return {
        p.name: (p.cqc_registered, p.cqc_rating, p.cqc_rating_date) for p in Provider.objects.all()
    }


CQC_FILE = (
    f"{CQC_HEADER}\n"
    "1-200000001,Hazel Cluster Care,Registered,Outstanding,12/03/2025\n"
    "1-200000002,Juniper Home Care,Registered,Requires improvement,2025-06-30\n"
    "1-200000003,Larch Other Care,Deregistered,Good,1 Feb 2024\n"
    "1-999999999,Someone Else's Care,Registered,Good,01/01/2025\n"
)


def test_matched_providers_take_registration_rating_and_date_from_the_file(kent, write):
    """Each provider whose location ID is in the file gets its status, rating and date."""
    report = CqcDirectoryImporter(kent).handle(write(CQC_FILE))

    state = _cqc_state()
    assert state["Hazel Cluster Care"] == (True, "Outstanding", date(2025, 3, 12))
    assert state["Juniper Home Care"] == (True, "Requires improvement", date(2025, 6, 30))
    assert state["Larch Other Care"] == (False, "Good", date(2024, 2, 1))
    assert set(report.matched) == {"Hazel Cluster Care", "Juniper Home Care", "Larch Other Care"}
    assert set(report.updated) == set(report.matched)


def test_report_lists_providers_missing_from_the_file_and_counts_unknown_rows(kent, write):
    """A provider with a CQC ID the file lacks is listed (and left alone); a row naming an ID
    no provider has is ignored and counted; a provider with no CQC ID is in neither list."""
    maple_before = _cqc_state()["Maple Unlisted Care"]
    report = CqcDirectoryImporter(kent).handle(write(CQC_FILE))

    assert report.not_in_file == ("Maple Unlisted Care",)
    assert report.unknown_rows == 1
    assert _cqc_state()["Maple Unlisted Care"] == maple_before
    assert "Oak No Id Care" not in report.matched + report.not_in_file


def test_report_flags_non_contracted_providers_below_good_as_blocked(kent, write):
    """docs/policies.md §5.5: a provider not registered or rated below Good is listed; Kent's
    non-contracted stage needs registered + Good/Outstanding, so Juniper (non-contracted,
    Requires improvement) is blocked while Larch (other contracted, deregistered) is listed
    but not blocked, and Hazel (Outstanding) is not listed."""
    report = CqcDirectoryImporter(kent).handle(write(CQC_FILE))

    concerns = {c.provider: (c.reason, c.blocked) for c in report.concerns}
    assert concerns == {
        "Juniper Home Care": ("rated Requires improvement", True),
        "Larch Other Care": ("not registered with CQC", False),
    }


def test_reimporting_the_same_cqc_file_changes_nothing(kent, write):
    """The second import of the same file updates no provider and leaves every record as is."""
    importer = CqcDirectoryImporter(kent)
    path = write(CQC_FILE)
    importer.handle(path)
    state = _cqc_state()

    report = importer.handle(path)

    assert report.updated == () and len(report.matched) == 3
    assert _cqc_state() == state


def test_blank_rating_is_not_rated_and_blocks_a_non_contracted_provider(kent, write):
    """A location with no overall rating yet stores Not rated, which does not allow placement."""
    path = write(f"{CQC_HEADER}\n1-200000002,Juniper Home Care,Registered,,\n")
    report = CqcDirectoryImporter(kent).handle(path)
    assert _cqc_state()["Juniper Home Care"] == (True, "Not rated", None)
    assert [(c.provider, c.reason, c.blocked) for c in report.concerns] == [
        ("Juniper Home Care", "rated Not rated", True)
    ]


def test_bad_rating_or_status_refuses_the_file_naming_row_and_column(kent, write):
    """An unknown rating or registration status is refused with its row and column, and no
    provider changes, not even those on good rows."""
    path = write(
        f"{CQC_HEADER}\n"
        "1-200000001,Hazel Cluster Care,Registered,Good,12/03/2025\n"
        "1-200000002,Juniper Home Care,Registered,Brilliant,12/03/2025\n"
        "1-200000003,Larch Other Care,Suspended,Good,31/02/2025\n"
    )
    state = _cqc_state()
    with pytest.raises(ImportRefused) as caught:
        CqcDirectoryImporter(kent).handle(path)
    message = str(caught.value)
    assert "row 3, Latest overall rating: must be Outstanding" in message
    assert "got 'Brilliant'" in message
    assert "row 4, Registration status: must be Registered or Deregistered, got 'Suspended'" in (
        message
    )
    assert _cqc_state() == state


def test_conflicting_rows_for_one_location_are_refused(kent, write):
    """The same location ID twice with different ratings cannot both be true: refused."""
    path = write(
        f"{CQC_HEADER}\n"
        "1-200000001,Hazel Cluster Care,Registered,Good,12/03/2025\n"
        "1-200000001,Hazel Cluster Care,Registered,Inadequate,12/03/2025\n"
    )
    with pytest.raises(ImportRefused, match=r"row 3, Location ID: 1-200000001 is already"):
        CqcDirectoryImporter(kent).handle(path)


def test_cqc_header_variants_and_a_title_line_are_accepted(kent, write):
    """CQC's own headers ('CQC Location ID (for office use only)', 'Location Latest Overall
    Rating') under a title line, with other columns, read as the documented ones; without a
    registration column every listed location counts as registered."""
    path = write(
        "Care directory with filters,,,\n"
        "CQC Location ID (for office use only),Location Name,Location Latest Overall Rating,"
        "Location Type/Sector\n"
        "1-200000003,Larch Other Care,Inadequate,Social Care Org\n"
    )
    report = CqcDirectoryImporter(kent).handle(path)
    assert report.matched == ("Larch Other Care",)
    assert _cqc_state()["Larch Other Care"][:2] == (True, "Inadequate")


def test_a_cqc_workbook_is_read_like_the_csv(kent, tmp_path):
    """The same file saved as .xlsx (a real date cell) gives the same result."""
    book = openpyxl.Workbook()
    book.active.append(CQC_HEADER.split(","))
    book.active.append(["1-200000001", "Hazel", "Registered", "Good", date(2025, 3, 12)])
    path = tmp_path / "cqc.xlsx"
    book.save(path)
    CqcDirectoryImporter(kent).handle(path)
    assert _cqc_state()["Hazel Cluster Care"] == (True, "Good", date(2025, 3, 12))


def test_essex_lists_but_does_not_block(db, write):
    """Essex's policy has no CQC condition: a poorly rated provider is listed, not blocked."""
    essex = make_council("essex-lah")
    make_provider(essex, "Alder Homecare", cqc_location_id="1-100000001")
    path = write(f"{CQC_HEADER}\n1-100000001,Alder,Registered,Inadequate,01/01/2025\n")
    report = CqcDirectoryImporter(essex).handle(path)
    assert [(c.provider, c.blocked) for c in report.concerns] == [("Alder Homecare", False)]


def test_the_shipped_cqc_sample_checks_the_shipped_provider_directory(essex):
    """examples/cqc-sample.csv against examples/providers-sample.csv: three matched, Damson
    not in the file, Elm Street's row ignored, Cedar (Requires improvement) listed."""
    ProviderDirectoryImporter(essex).handle(EXAMPLES / "providers-sample.csv")

    report = CqcDirectoryImporter(essex).handle(EXAMPLES / "cqc-sample.csv")

    assert report.matched == ("Alder Homecare", "Birch Lane Care", "Cedar Support")
    assert report.not_in_file == ("Damson Care Services",)
    assert report.unknown_rows == 1
    assert [c.provider for c in report.concerns] == ["Cedar Support"]
