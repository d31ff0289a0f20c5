"""Fuzzing the importers with bad files: each either imports or refuses with ImportRefused and
a message, never another exception, never a partial import (docs/architecture.md §11)."""

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carebroker.exchange import cqc, directory, ehm
from carebroker.exchange.batch_report import ABOUT_SHEET, HEADER_ROW, REPORT_SHEET, batch_reports
from carebroker.exchange.cqc import CqcDirectoryImporter
from carebroker.exchange.directory import ProviderDirectoryImporter
from carebroker.exchange.ehm import EhmVisitImporter
from carebroker.exchange.interest import InterestImporter
from carebroker.exchange.models import EhmSubmission, InboundReply
from carebroker.exchange.replies import ReplyReader
from carebroker.exchange.sheets import ImportRefused
from carebroker.outbox.models import Notice
from carebroker.providers.models import Contact, Provider, ProviderArea
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.exchange.batch_world import BATCH_DAY, essex_batch
from tests.factories import make_package, make_provider

pytestmark = pytest.mark.slow  # heavy property tests (hypothesis)

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Headers each importer reads, plus near misses, so some files get past the header check.
HEADERS = {
    "directory": [c.label for c in directory.COLUMNS] + ["rank:North", "rank:Nowhere", "Tier"],
    "cqc": [c.label for c in cqc.COLUMNS] + ["CQC Location ID (for office use only)"],
    "ehm": [c.label for c in ehm.COLUMNS] + ["Check in", "Planned duration"],
}
# The columns each importer needs: half the files start from these, to reach the row checks.
REQUIRED = {
    kind: [c.label for c in module.COLUMNS if c.required]
    for kind, module in (("directory", directory), ("cqc", cqc), ("ehm", ehm))
}
REQUIRED["ehm"].append("Planned end")
# Cells that are right for some column, so some rows get past the cell checks.
PLAUSIBLE = [
    "",
    "1",
    "2",
    "three",
    "1;3",
    "framework",
    "non-contracted",
    "yes",
    "Alder Homecare",
    "casey@alder.example.org",
    "01206 000100",
    "1-200000001",
    "1-999",
    "£21.50",
    "Good",
    "Inadequate",
    "Registered",
    "Deregistered",
    "05/01/2026",
    "2026-01-06",
    "31/02/2026",
    "08:00",
    "08:30",
    "23:59",
    "M2001",
    "M9999",
    '"',
    "a,b",
    "line\nbreak",
    "\ufeff",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]

cells = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=30))


def _snapshot() -> tuple[list[tuple], ...]:
    """Every row an importer may write, to compare before and after a refused import."""
    return tuple(
        sorted(model.objects.values_list(), key=repr)
        for model in (Provider, Contact, ProviderArea, EhmSubmission)
    )


@pytest.fixture
def importers(essex) -> dict[str, Callable[[Path], object]]:
    """One importer of each kind for a council with providers and awarded packages."""
    north = essex.areas.get(name="North")
    alder = make_provider(essex, "Alder Homecare", areas={north: 1}, cqc_location_id="1-200000001")
    for case in ("M2001", "M2002"):
        make_package(essex, case, awarded_provider=alder, status="awarded")
    return {
        "directory": ProviderDirectoryImporter(essex).handle,
        "cqc": CqcDirectoryImporter(essex).handle,
        "ehm": EhmVisitImporter(essex, alder, now=NOW).handle,
    }


def _imports_or_refuses(handle: Callable[[Path], object], path: Path) -> None:
    before = _snapshot()
    try:
        handle(path)
    except ImportRefused as refused:
        assert str(refused).strip(), "a refusal without a message"
        assert _snapshot() == before, "a refused file changed the database"


@pytest.mark.parametrize("kind", ["directory", "cqc", "ehm"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".txt"])
@FUZZ
@given(raw=st.binary(max_size=3000))
@example(raw=b"")
@example(raw=b"   \r\n\r\n")
@example(raw=b"\xef\xbb\xbf")
@example(raw=b"\xff\xfe")
@example(raw=b"PK\x03\x04garbage")
@example(raw=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
def test_random_bytes_are_refused_or_imported(importers, tmp_path, kind, suffix, raw):
    """Any bytes at all, under any file name: an import or a refusal with a message."""
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw)
    _imports_or_refuses(importers[kind], path)


@st.composite
def headers(draw: st.DrawFn, kind: str, others: st.SearchStrategy[object]) -> list[object]:
    """A header row: the required columns with a few more, shuffled, or any mix at all."""
    extra = draw(st.lists(st.sampled_from(HEADERS[kind]) | others, max_size=6, unique_by=str))
    if draw(st.booleans()):
        return draw(st.permutations([*REQUIRED[kind], *extra]))
    return extra


@st.composite
def csv_files(draw: st.DrawFn, kind: str) -> bytes:
    """A CSV of some of the right headers and some wrong ones, plausible and random cells,
    quoted properly or not, in some encoding with or without a byte order mark."""
    header = draw(headers(kind, st.text(max_size=15)))
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width + 1), max_size=6))
    if draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        text = out.getvalue()
    else:  # hand-joined: stray quotes and commas stay as they are
        text = "\n".join(",".join(row) for row in [header, *rows])
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@pytest.mark.parametrize("kind", ["directory", "cqc", "ehm"])
@FUZZ
@given(data=st.data())
def test_malformed_csv_is_refused_or_imported(importers, tmp_path, kind, data):
    """Missing and extra columns, bad cells, broken quoting, other encodings and BOMs."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data.draw(csv_files(kind)))
    _imports_or_refuses(importers[kind], path)


@pytest.mark.parametrize("kind", ["directory", "cqc", "ehm"])
@pytest.mark.parametrize(
    "content",
    [
        "Location ID,Latest overall rating\n1-200000001," + "G" * 200_000 + "\n",
        "name,kind,main contact name,main contact email\n"
        + "A" * 5_000
        + ",framework,Casey,c@alder.example.org\n",
        'Mosaic ID,"Visit date\n' + "x" * 1000,
        ",,,\n,,,\n",
        "\n".join(["a,b,c"] * 50),
    ],
    ids=["huge-field", "long-name", "open-quote", "only-commas", "no-known-header"],
)
def test_huge_fields_and_broken_quoting_are_refused_or_imported(importers, tmp_path, kind, content):
    """A 200,000-character cell, a name longer than the field, a quote never closed."""
    path = tmp_path / "fuzz.csv"
    path.write_text(content, encoding="utf-8")
    _imports_or_refuses(importers[kind], path)


@st.composite
def zips_not_workbooks(draw: st.DrawFn) -> bytes:
    """A real zip whose members are not an .xlsx (or are a broken one)."""
    names = st.sampled_from(
        ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "readme.txt"]
    )
    members = draw(
        st.dictionaries(names | st.text(min_size=1, max_size=10), st.binary(max_size=200))
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["directory", "cqc", "ehm"])
@FUZZ
@given(raw=zips_not_workbooks())
def test_zips_that_are_not_workbooks_are_refused(importers, tmp_path, kind, raw):
    """A zip that is not an .xlsx is refused with a message."""
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(raw)
    _imports_or_refuses(importers[kind], path)


workbook_values = st.one_of(
    st.none(),
    st.sampled_from(PLAUSIBLE[:-3]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)


@st.composite
def workbooks(draw: st.DrawFn, kind: str) -> bytes:
    """A valid workbook with the wrong cells: right and wrong headers, values of every type."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(draw(headers(kind, workbook_values)))
    width = len(sheet[1]) if sheet.max_row else 0
    for row in draw(
        st.lists(st.lists(workbook_values, min_size=width, max_size=width + 1), max_size=6)
    ):
        sheet.append(row)
    if draw(st.booleans()):
        book.create_sheet("Notes").append(["a second sheet is ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["directory", "cqc", "ehm"])
@FUZZ
@given(data=st.data())
def test_workbooks_with_wrong_cells_are_refused_or_imported(importers, tmp_path, kind, data):
    """Dates where text belongs, floats where counts belong, timedeltas, booleans, blanks."""
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data.draw(workbooks(kind)))
    _imports_or_refuses(importers[kind], path)


def test_a_good_file_among_the_fuzz_still_imports(importers, tmp_path):
    """The fuzz's invariant is not vacuous: a right file imports (and writes) through the same
    entry points."""
    path = tmp_path / "good.csv"
    path.write_text(
        "Mosaic ID,Visit date,Planned start,Planned end,Actual start,Actual end\n"
        "M2001,05/01/2026,08:00,08:30,08:00,08:30\n",
        encoding="utf-16",
    )
    importers["ehm"](path)
    assert EhmSubmission.objects.get().planned_visits == 1


# -- ticked returns and email replies (exchange/interest.py, exchange/replies.py) ----------
# A return is read or refused; an email is recorded, queued for a broker, or (empty file)
# refused; never a crash, never a partial record.

MONDAY_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _answers() -> list[tuple]:
    """Every row an answer may change: requests, timeline, the reply queue, the outbox."""
    return [
        sorted(
            SourcingRequest.objects.values_list("id", "outcome", "responded_at", "late", "rate")
        ),
        TimelineEvent.objects.count(),
        sorted(InboundReply.objects.values_list("message_id", "status")),
        Notice.objects.count(),
    ]


@pytest.fixture
def batch(db):
    """An Essex batch issued Friday 16:00 (North: M4001-M4003) and its North workbook."""
    world = essex_batch()
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    return world, north.content


def _interest_or_refusal(world, path) -> None:
    alder = world.tier1[0]
    before = _answers()
    changed_before = dict(SourcingRequest.objects.values_list("id", "outcome"))
    try:
        report = InterestImporter(world.council, alder, now=MONDAY_0930).handle(path)
    except ImportRefused as refused:
        assert str(refused).strip(), "a refusal without a message"
        assert _answers() == before, "a refused return changed the database"
        return
    changed = {
        (request.package.case_number, request.provider_id)
        for request in SourcingRequest.objects.select_related("package")
        if changed_before.get(request.pk) != request.outcome
    }
    # Never a partial or stray record: only this provider's reported cases changed.
    assert changed <= {(case, alder.pk) for case in report.recorded + report.late}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@FEW
@given(raw=st.binary(max_size=2000))
@example(raw=b"PK\x03\x04garbage")
@example(raw=b"Mosaic ID\nM4001\n")
def test_interest_random_bytes_are_refused_or_read(batch, tmp_path, suffix, raw):
    """Any bytes as a returned sheet: read as interest or refused, nothing partial."""
    world, _ = batch
    path = tmp_path / f"return{suffix}"
    path.write_bytes(raw)
    _interest_or_refusal(world, path)


tick_values = st.one_of(
    st.sampled_from(["Y", "y", "x", "✓", "yes", "N", "", None, "maybe", 1, 0, True, 2.5]),
    workbook_values,
)
case_values = st.sampled_from(["M4001", "M4002", "M4003", "M4004", "M4005", "M9999", "", None])


@FEW
@given(data=st.data())
def test_interest_edited_workbooks_are_refused_or_read(batch, tmp_path, data):
    """Our workbook as a provider might mangle it: ticks of every type, Mosaic IDs retyped,
    rows added, About cells changed, sheets deleted or renamed."""
    world, content = batch
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[REPORT_SHEET]
    for row in range(HEADER_ROW + 1, HEADER_ROW + 4):
        sheet.cell(row, 1).value = data.draw(tick_values)
        if data.draw(st.booleans()):
            sheet.cell(row, 2).value = data.draw(case_values)
    for _ in range(data.draw(st.integers(0, 2))):
        sheet.append([data.draw(tick_values), data.draw(case_values)])
    damage = data.draw(st.sampled_from(["none", "about-cell", "drop-about", "rename", "header"]))
    if damage == "about-cell":
        book[ABOUT_SHEET].cell(data.draw(st.integers(2, 12)), 2).value = data.draw(workbook_values)
    elif damage == "drop-about":
        del book[ABOUT_SHEET]
    elif damage == "rename":
        book[ABOUT_SHEET].title = "Notes"
    elif damage == "header":
        sheet.cell(HEADER_ROW, data.draw(st.integers(1, 3))).value = data.draw(workbook_values)
    path = tmp_path / "return.xlsx"
    book.save(path)
    _interest_or_refusal(world, path)


@FEW
@given(
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=8)), max_size=4)
)
def test_interest_corrupted_workbook_bytes_are_refused_or_read(batch, tmp_path, cuts):
    """Our workbook with bytes overwritten here and there (a damaged download)."""
    world, content = batch
    raw = bytearray(content)
    for at, junk in cuts:
        at %= len(raw)
        raw[at : at + len(junk)] = junk
    path = tmp_path / "return.xlsx"
    path.write_bytes(bytes(raw))
    _interest_or_refusal(world, path)


def _reply_or_queue(world, raw: bytes, tmp_path) -> None:
    """An email is recorded, queued or skipped; queued or skipped changes no answer."""
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    before = _answers()
    try:
        report = ReplyReader(world.council, now=MONDAY_0930).handle(path)
    except ImportRefused as refused:  # an empty file: nothing to read
        assert str(refused).strip()
        assert _answers() == before
        return
    assert report.recorded + report.queued + report.skipped >= 1
    if not report.recorded:
        after = _answers()
        assert after[0] == before[0] and after[1] == before[1], "an unsure email changed answers"


@FEW
@given(raw=st.binary(max_size=3000))
@example(raw=b"From: \r\n\r\n")
@example(raw=b"Message-ID: <x>\nFrom: =?utf-8?q?=ZZ?= <a@\nSubject: M4001\n\nyes")
@example(raw=b"From mbox-looking line\nnot really an mbox")
@example(raw=b"Message-ID: <a\x00b>\nFrom: a\x00@b.example.org\nSubject: M4001\x00\n\nyes\x00")
def test_email_random_bytes_are_queued_or_read(batch, tmp_path, raw):
    """Any bytes as an .eml: recorded, queued for a broker, or refused when empty."""
    world, _ = batch
    _reply_or_queue(world, raw, tmp_path)


body_lines = st.sampled_from(
    [
        "Please send the ISP for M4001",
        "Y - £24.10 per hour",
        "Y - part",
        "N (C)",
        "no capacity",
        "M4002 - yes",
        "M4003 N (B)",
        "> M4001 quoted",
        "On Fri, Brokerage wrote:",
        "£12 or £13",
        "interested in M9999",
        "",
    ]
)


@FEW
@given(
    sender=st.sampled_from(["known", "unknown", "empty", "garbage"]),
    subject=st.one_of(st.sampled_from(["Re: M4001", "North batch", ""]), st.text(max_size=40)),
    lines=st.lists(st.one_of(body_lines, st.text(max_size=40)), max_size=6),
    message_id=st.one_of(st.none(), st.sampled_from(["<a@b>", "<c@d>"]), st.text(max_size=20)),
)
def test_structured_emails_are_recorded_or_queued_never_half(
    batch, tmp_path, sender, subject, lines, message_id
):
    """Well-formed emails with every mix of senders, subjects, answers and Message-IDs."""
    world, _ = batch
    address = {
        "known": world.tier1[0].contacts.get().email,
        "unknown": "someone@elsewhere.example.org",
        "empty": "",
        "garbage": "not an <address",
    }[sender]
    head = [f"From: {address}", f"Subject: {subject}".replace("\n", " ").replace("\r", " ")]
    if message_id is not None:
        head.append(f"Message-ID: {message_id}".replace("\n", " ").replace("\r", " "))
    raw = ("\n".join(head) + "\n\n" + "\n".join(lines) + "\n").encode("utf-8", "replace")
    _reply_or_queue(world, raw, tmp_path)
