"""Fixtures for the importers: a made-up Essex-like council with its five quadrants."""

from pathlib import Path

import pytest

from tests.factories import make_area, make_council

QUADRANTS = ("North", "Mid", "West", "South East", "South West")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def essex(db):
    council = make_council("essex-lah")
    for name in QUADRANTS:
        make_area(council, name)
    return council


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file under tmp_path and return its path."""

    def write(text: str | bytes, name: str = "import.csv") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
