"""Fixtures for the placement documents: made-up councils, people, providers and packages,
and readers that open a PDF (text, pages as images) and a DOCX (text)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import docx
import pypdf
import pytest
from PIL import Image

from carebroker.providers.models import Contact, ContactRole
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
)

# Monday 23 November 2026, 10:00 in London (GMT): the day the documents are made.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# The full record of a made-up person: none of it may reach a provider before award.
FULL_NAME = "Ada Lovelock"
FULL_DOB = date(2012, 3, 2)
ADDRESS = "14 Quarry Lane"
TOWN = "Wigston"
POSTCODE = "LE18 9QP"
PHONE = "0116 496 0123"
CONTACT = "Bea Lovelock"
CONTACT_PHONE = "07700 900456"


@pytest.fixture
def now():
    return NOW


def _person(council):
    return make_person(
        council,
        name=FULL_NAME,
        date_of_birth=FULL_DOB,
        address=ADDRESS,
        town=TOWN,
        postcode=POSTCODE,
        phone=PHONE,
        relations=[
            {"relation": "mum", "name": CONTACT},
            {"relation": "brother", "name": "Cal Lovelock"},
        ],
        allocated_worker="Dan Evans",
        principal_contact=CONTACT,
        principal_contact_phone=CONTACT_PHONE,
        needs=f"{FULL_NAME} enjoys swimming; call {CONTACT} on {CONTACT_PHONE} before visits.",
    )


def _placement(policy: str, **package_fields):
    council = make_council(policy)
    area = make_area(council, "Oadby and Wigston", districts=["LE18"])
    alder = make_provider(
        council, "Alder Homecare", {area: 1}, framework_hourly_rate=Decimal("21.50")
    )
    birch = make_provider(
        council, "Birch Care & Support", {area: 2}, framework_hourly_rate=Decimal("22.00")
    )
    Contact.objects.create(
        provider=alder, role=ContactRole.SENIOR, name="Sam Senior", email="sam@alder.example.org"
    )
    referral = make_referral(council, _person(council))
    package = make_package(
        council,
        "M1001",
        referral=referral,
        area=area,
        hours_per_week=Decimal("10.5"),
        preferred_start=date(2026, 12, 7),
        support_type="community",
        lot=2,
        **package_fields,
    )
    return council, package, alder, birch


@pytest.fixture
def leics(db):
    """A Leicestershire-like council: package M1001 being sourced, two framework providers."""
    return _placement("leics-short-breaks")


@pytest.fixture
def kent(db):
    return _placement("kent-oppd")


@pytest.fixture
def awarded(leics):
    """The Leicestershire package awarded to Alder Homecare."""
    council, package, alder, birch = leics
    package.awarded_provider = alder
    package.awarded_at = NOW
    package.status = "awarded"
    package.save()
    return council, package, alder, birch


def pdf_text(content: bytes, password: str | None = None) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        assert password is not None, "the PDF is encrypted: a password is needed"
        assert reader.decrypt(password) != pypdf.PasswordType.NOT_DECRYPTED, "wrong password"
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (PDF text wraps)."""
    return " ".join(text.split())


def page_ink(content: bytes, password: str | None = None) -> list[int]:
    """The number of non-white pixels on each page, rendered by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is not installed: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(content)
        command = [pdftoppm, "-r", "40", "-gray", "-png"]
        if password is not None:
            command += ["-upw", password]
        subprocess.run(
            [*command, str(source), str(Path(folder) / "page")], check=True, capture_output=True
        )
        pages = sorted(Path(folder).glob("page*.png"))
        counts = []
        for page in pages:
            with Image.open(page) as image:
                histogram = image.convert("L").histogram()
            counts.append(sum(histogram[:200]))  # clearly darker than white paper
        return counts
