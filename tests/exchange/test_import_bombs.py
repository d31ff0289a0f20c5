"""Upload and import bombs (issue 12 finding 1): a file small on disk that unpacks to far
more than any real import is refused, fast, with a message naming the file and what is
wrong, before openpyxl opens it; nothing is saved. The bombs are built here (`bombs.py`).

Each test bounds its time at 20 s (generous for a loaded machine): the refused bomb is
read in well under a second, while reading it whole (what happened before the caps) takes
tens of seconds and gigabytes; each also checks the refusal's words."""

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carebroker.exchange import sheets
from carebroker.exchange.sheets import Column, ImportRefused, read_sheet
from carebroker.providers.models import Provider
from tests.exchange.bombs import entity_bomb, shared_string_bomb, wide_row_bomb
from tests.factories import make_council, make_provider

NAME = [Column("name", "Name")]
FAST = 20.0


@pytest.fixture(scope="module")
def string_bomb() -> bytes:
    """The issue's bomb: one shared string unpacking past the member cap (~0.3 MB on disk)."""
    bomb = shared_string_bomb(sheets.MAX_MEMBER_UNPACKED // (1 << 20) + 16)
    assert len(bomb) < 2_000_000
    return bomb


def refused(path, match: str) -> ImportRefused:
    started = time.monotonic()
    with pytest.raises(ImportRefused) as caught:
        read_sheet(path, NAME)
    assert time.monotonic() - started < FAST
    assert match in str(caught.value), str(caught.value)
    return caught.value


def test_a_shared_string_bomb_is_refused_from_its_zip_sizes(string_bomb, tmp_path):
    """A member unpacking past MAX_MEMBER_UNPACKED is refused by name before it is opened."""
    path = tmp_path / "return.xlsx"
    path.write_bytes(string_bomb)
    error = refused(path, "return.xlsx: xl/sharedStrings.xml unpacks to")
    assert "more than an import takes" in str(error)


def test_a_cell_longer_than_excel_allows_is_refused_while_reading(tmp_path):
    """One shared string of 1 MiB (under the zip caps) is refused by the cell-length cap."""
    path = tmp_path / "long.xlsx"
    path.write_bytes(shared_string_bomb(1))
    refused(path, f"long.xlsx: a cell of more than {sheets.MAX_CELL_CHARS:,} characters")


def test_a_row_with_millions_of_cells_is_refused_while_the_row_is_read(tmp_path):
    """The issue's wide row: 2 million cells in row 2 (16 MB unpacked, a few KB on disk) are
    refused at the cap, counted as the parser goes, before openpyxl builds the row."""
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_row_bomb(8))
    assert path.stat().st_size < 100_000
    refused(path, f"wide.xlsx: row 2 has more than {sheets.MAX_ROW_CELLS:,} cells")


def test_xml_entities_are_refused_not_expanded(tmp_path):
    """A sheet declaring entities (billion laughs) is refused; nothing is expanded."""
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(entity_bomb())
    refused(path, "laughs.xlsx: xl/worksheets/sheet1.xml declares a document type or entities")


def test_a_csv_row_with_too_many_cells_is_refused(tmp_path):
    """A CSV row of 100,000 commas is refused naming its row."""
    path = tmp_path / "wide.csv"
    path.write_text("name\n" + "," * 100_000 + "\n")
    refused(path, f"wide.csv: row 2 has more than {sheets.MAX_ROW_CELLS:,} cells")


def test_a_csv_cell_longer_than_excel_allows_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("name\n" + "A" * 40_000 + "\n")
    refused(path, f"long.csv: row 2 has a cell of more than {sheets.MAX_CELL_CHARS:,} characters")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["import_providers", "import_cqc", "import_ehm", "import_interest"]
)
def test_every_import_command_refuses_the_bomb_fast_and_saves_nothing(
    command, string_bomb, tmp_path
):
    """Each import command stops on the bomb with the file's name and its problem."""
    council = make_council("essex-lah")
    make_provider(council, "Alder Homecare")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(string_bomb)
    args = [command, str(path), "--council", council.slug]
    if command in ("import_ehm", "import_interest"):
        args += ["--provider", "Alder Homecare"]
    started = time.monotonic()
    with pytest.raises(CommandError, match="bomb.xlsx: xl/sharedStrings.xml unpacks to"):
        call_command(*args, stdout=StringIO())
    assert time.monotonic() - started < FAST
    assert list(Provider.objects.values_list("name", flat=True)) == ["Alder Homecare"]
