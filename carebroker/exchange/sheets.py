"""Reading an imported sheet (CSV or .xlsx) into numbered rows of text keyed by column.

Every importer reads its file through `read_sheet`, so they all take the same
files and refuse a bad one the same way (with `ImportRefused`, never another
exception):

- **CSV**: comma separated, UTF-8 with or without a byte order mark, UTF-16
  with one (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on a UK
  Windows machine). A file with NUL bytes is not text and is refused.
- **.xlsx**: the first worksheet, read with openpyxl in read-only mode, cached
  values (not formulas). Dates and times become ISO text; whole numbers lose
  their ".0". An old .xls or any other zip (an .ods, a .docx) is refused.
- **Bombs** (issue 12 finding 1): before openpyxl opens a workbook, `check_workbook`
  reads the zip's directory (each member's unpacked size and the total, which zipfile
  enforces while unpacking) and then streams every XML member through expat, refusing
  a document type or entity declaration (nothing is ever expanded), a row with more
  than `MAX_ROW_CELLS` cells or a cell past that column, a cell or shared string
  longer than `MAX_CELL_CHARS` and more than `MAX_SHARED_STRINGS` shared strings,
  all counted as the parser goes, never after a row is built. A CSV row is checked
  the same way. openpyxl itself parses with defusedxml (installed, so it uses it).
- **Headers** are matched loosely: case, spaces, underscores and punctuation
  are ignored ("Main_Contact  Email" is "main contact email"). The header row
  is the first row naming every required column among the first
  `HEADER_SEARCH_ROWS` rows, so a title line above it (as CQC files have) is
  skipped.
- **Row numbers** are the file's own, header included, as a spreadsheet shows
  them: the first row under a header on line 1 is row 2. Blank rows are
  skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.parsers import expat

import openpyxl

from carebroker.lib import zipcheck
from carebroker.lib.numbers import is_whole_number
from carebroker.lib.zipcheck import zip_problem

MAX_BYTES = 64 * 1024 * 1024  # CQC's whole care directory is some tens of megabytes
MAX_ROWS = 200_000
MAX_CELLS = 20_000_000  # a crafted .xlsx can claim a huge sheet; stop before the clock does
# Zip bombs (issue 12 finding 1): a real CQC directory unpacks to some hundreds of MB.
MAX_MEMBER_UNPACKED = zipcheck.MAX_MEMBER_UNPACKED
MAX_UNPACKED = zipcheck.MAX_UNPACKED
MAX_ROW_CELLS = 1_000  # the widest sheet we read (CQC's) has under 100 columns
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_SHARED_STRINGS = 2_000_000
_SCAN_CHUNK = 64 * 1024
HEADER_SEARCH_ROWS = 10
MAX_PROBLEMS = 25  # enough to fix a file in one go without burying the first error

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_PREFIXED = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(.*?)\s*$")


class ImportRefused(ValueError):
    """A file an importer will not take; `problems` name the row, the column and what is wrong.

    Raised before anything is written, or from inside the import's transaction so
    nothing it wrote is kept.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        shown = list(self.problems[:MAX_PROBLEMS])
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problems")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class Column:
    """A column an importer reads: `key` in code, `label` in messages and docs, other headers."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def headers(self) -> set[str]:
        return {header_key(text) for text in (self.label, self.key, *self.aliases)}


@dataclass(frozen=True)
class SheetRow:
    number: int
    cells: dict[str, str]  # column key (or "prefix:label") -> stripped text, "" when blank

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass(frozen=True)
class Sheet:
    name: str
    present: frozenset[str]  # keys of the columns the file has
    prefixed: tuple[str, ...] = ()  # labels of "prefix:label" columns, in file order
    rows: list[SheetRow] = field(default_factory=list)


def header_key(text: str) -> str:
    """Case, spacing and punctuation folded: " Main_Contact-Email? " -> "main contact email"."""
    folded = unicodedata.normalize("NFKC", text).replace("\ufeff", "").casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def read_sheet(
    path: str | Path,
    columns: Sequence[Column],
    *,
    prefix: str | None = None,
    other_columns: bool = False,
    name: str | None = None,
) -> Sheet:
    """The rows of a CSV or .xlsx file under the given columns.

    `prefix` names a family of columns "prefix:label" (e.g. "rank:North");
    `other_columns` says whether unknown columns are ignored (True) or refused;
    `name` is the file's name in messages (an upload's own name: never used as a path).
    """
    path = Path(path)
    name = name or path.name
    raw = _read_bytes(path, name)
    records = _xlsx_records(raw, name) if _is_workbook(raw, path) else _csv_records(raw, name)
    return _sheet(name, records, columns, prefix, other_columns)


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportRefused(
                [f"{name}: {size} bytes is more than the {MAX_BYTES} an import takes"]
            )
        raw = path.read_bytes()
    except OSError as error:
        raise ImportRefused([f"{name}: cannot read the file ({error.strerror})"]) from error
    if not raw.strip():
        raise ImportRefused([f"{name}: the file is empty"])
    return raw


def _is_workbook(raw: bytes, path: Path) -> bool:
    if raw.startswith(_OLE_MAGIC):
        raise ImportRefused(
            [f"{path.name}: an old binary .xls workbook; save it as .xlsx or CSV and send it again"]
        )
    return raw.startswith(_ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm")


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportRefused([f"{name}: not valid UTF-16 text ({error.reason})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # Excel's "CSV (Comma delimited)" on UK Windows
        except UnicodeDecodeError:
            raise ImportRefused(
                [f"{name}: not a text file (neither UTF-8 nor Windows-1252 text)"]
            ) from None
    if "\x00" in text:
        raise ImportRefused([f"{name}: not a text file (it contains NUL bytes)"])
    return text


def _csv_records(raw: bytes, name: str) -> Iterator[list[str]]:
    text = _decode(raw, name)
    rows = cells = 0

    def lines() -> Iterator[str]:
        # A line's commas bound its record's cells: a wide row is refused before it is built.
        for line in io.StringIO(text, newline=""):
            if line.count(",") >= MAX_ROW_CELLS:
                raise ImportRefused(
                    [f"{name}: row {rows + 1} has more than {MAX_ROW_CELLS:,} cells"]
                )
            yield line

    try:
        for record in csv.reader(lines()):
            rows, cells = rows + 1, cells + len(record)
            _check_size(name, rows, cells)
            if any(len(cell) > MAX_CELL_CHARS for cell in record):
                raise ImportRefused(
                    [f"{name}: row {rows} has a cell of more than {MAX_CELL_CHARS:,} characters"]
                )
            yield record
    except csv.Error as error:
        where = f"{name}: not a readable CSV at row {rows + 1}"
        raise ImportRefused([f"{where} ({error})"]) from None


def _xlsx_records(raw: bytes, name: str) -> Iterator[list[str]]:
    rows = cells = 0
    check_workbook(raw, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise ImportRefused([f"{name}: the workbook has no worksheet"])
            for values in book.worksheets[0].iter_rows(values_only=True):
                rows, cells = rows + 1, cells + len(values)
                _check_size(name, rows, cells)
                yield [cell_text(value) for value in values]
        finally:
            book.close()
    except ImportRefused:
        raise
    except Exception as error:  # a broken workbook raises zip, XML, Key, Value... errors alike
        raise ImportRefused(
            [f"{name}: not a readable .xlsx workbook ({type(error).__name__})"]
        ) from None


def check_workbook(raw: bytes, name: str) -> None:
    """Refuse a zip bomb or an XML bomb before openpyxl (or anything else) opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        return  # not a zip: openpyxl refuses it with its own message
    problem = zip_problem(raw, name, member_max=MAX_MEMBER_UNPACKED, total_max=MAX_UNPACKED)
    if problem:
        raise ImportRefused([problem])
    with archive:
        for info in archive.infolist():
            if info.filename.lower().endswith((".xml", ".rels")):
                _scan_xml(archive, info, name)


class _XmlScan:
    """Expat handlers that count as the parser goes (see the module docstring)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.row = 0
        self.row_cells = 0
        self.strings = 0
        self.text = 0
        self.holder = 0  # inside a cell <c> or a shared string <si>: its text is one value

    def refuse(self, what: str) -> None:
        raise ImportRefused([f"{self.where}{what}"])

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "row":
            self.row = int(attrs["r"]) if is_whole_number(attrs.get("r", "")) else self.row + 1
            self.row_cells = 0
        elif local == "c":
            self.row_cells += 1
            column = _column_number(attrs.get("r", ""))
            if self.row_cells > MAX_ROW_CELLS or column > MAX_ROW_CELLS:
                self.refuse(f"row {self.row} has more than {MAX_ROW_CELLS:,} cells")
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                self.refuse(f"more than {MAX_SHARED_STRINGS:,} different texts")
        if local in ("c", "si"):
            self.holder, self.text = 1, 0
        elif not self.holder:
            self.text = 0

    def end(self, tag: str) -> None:
        if tag.rpartition(":")[2] in ("c", "si"):
            self.holder = 0

    def data(self, text: str) -> None:
        self.text += len(text)
        if self.text > MAX_CELL_CHARS:
            self.refuse(f"a cell of more than {MAX_CELL_CHARS:,} characters")


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    scan = _XmlScan(f"{name}: ")
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.data
    parser.StartDoctypeDeclHandler = _refuse_doctype(name, info.filename)
    parser.EntityDeclHandler = _refuse_doctype(name, info.filename)
    parser.buffer_text = True
    try:
        with archive.open(info) as member:
            while chunk := member.read(_SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except ImportRefused:
        raise
    except expat.ExpatError as error:
        raise ImportRefused(
            [f"{name}: not a readable .xlsx workbook ({info.filename}: {error.args[0]})"]
        ) from None
    # ValueError: a directory that points before the file's start gives a negative seek.
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        OSError,
        ValueError,
    ) as error:
        raise ImportRefused(
            [f"{name}: not a readable .xlsx workbook ({info.filename}: {type(error).__name__})"]
        ) from None


def _refuse_doctype(name: str, member: str) -> Callable[..., None]:
    def refuse(*_args: object) -> None:
        raise ImportRefused(
            [f"{name}: {member} declares a document type or entities (refused: never expanded)"]
        )

    return refuse


def _column_number(reference: str) -> int:
    """1 for "A7", 28 for "AB3"; 0 when there is no reference."""
    number = 0
    for char in reference:
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
        if number > MAX_ROW_CELLS:
            break
    return number


def _check_size(name: str, rows: int, cells: int) -> None:
    if rows > MAX_ROWS or cells > MAX_CELLS:
        raise ImportRefused(
            [f"{name}: more than {MAX_ROWS} rows or {MAX_CELLS} cells; split the file"]
        )


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()  # a date cell comes back as midnight
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # Excel stores every number as a float: 3.0 is the 3 typed
    return str(value).strip()


def _sheet(
    name: str,
    records: Iterator[list[str]],
    columns: Sequence[Column],
    prefix: str | None,
    other_columns: bool,
) -> Sheet:
    lookup = {header: column for column in columns for header in column.headers()}
    required = {column.key for column in columns if column.required}
    filled = ((index, row) for index, row in enumerate(records) if any(c.strip() for c in row))
    first = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not first:
        raise ImportRefused([f"{name}: no rows, not even a header"])

    def keys_of(row: list[str]) -> set[str]:
        return {lookup[h].key for h in map(header_key, row) if h in lookup}

    header_at, header = next(
        ((i, row) for i, row in first if required <= keys_of(row)),
        first[0],
    )
    problems: list[str] = []
    missing = [c for c in columns if c.required and c.key not in keys_of(header)]
    if missing:
        problems.append(
            f"{name}: missing column(s) "
            + ", ".join(f"'{c.label}'" for c in missing)
            + f" (the header row read was row {header_at + 1}: "
            + ", ".join(repr(h.strip()[:40]) for h in header if h.strip())
            + ")"
        )
        raise ImportRefused(problems)

    positions: dict[str, int] = {}
    prefixed: list[str] = []
    for position, text in enumerate(header):
        key = _column_key(text, lookup, prefix)
        where = f"row {header_at + 1}, column {position + 1}"
        if key is None:
            if text.strip() and not other_columns:
                accepted = ", ".join(c.label for c in columns)
                extra = f", or '{prefix}:<name>'" if prefix else ""
                problems.append(
                    f"{where}: unknown column {text.strip()[:60]!r} (accepted: {accepted}{extra})"
                )
            continue
        if key in positions:
            problems.append(f"{where}: column {text.strip()[:60]!r} appears twice")
            continue
        positions[key] = position
        if prefix and key.startswith(f"{prefix}:"):
            prefixed.append(key.split(":", 1)[1])
    if problems:
        raise ImportRefused(problems)

    headed = {p for p, text in enumerate(header) if text.strip()}
    rows: list[SheetRow] = []
    for index, row in itertools.chain(first, filled):
        if index <= header_at:
            continue
        stray = next((p for p, c in enumerate(row) if c.strip() and p not in headed), None)
        if stray is not None:
            problems.append(
                f"row {index + 1}, column {stray + 1}: a value under no header "
                f"({row[stray].strip()[:40]!r})"
            )
            continue
        cells = {
            key: row[position].strip() if position < len(row) else ""
            for key, position in positions.items()
        }
        rows.append(SheetRow(index + 1, cells))
    if problems:
        raise ImportRefused(problems)
    return Sheet(name, frozenset(positions), tuple(prefixed), rows)


def _column_key(text: str, lookup: dict[str, Column], prefix: str | None) -> str | None:
    if not text.strip():
        return None
    if prefix:
        match = _PREFIXED.match(unicodedata.normalize("NFKC", text))
        if match and match.group(1).casefold() == prefix and match.group(2):
            return f"{prefix}:{' '.join(match.group(2).split())}"
    column = lookup.get(header_key(text))
    return column.key if column else None
