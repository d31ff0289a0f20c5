"""The ISP: anonymised, AES-256 encrypted with a password of its own (seed 001), a new one
for every file, sealed at rest."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.db import connection

from carebroker.placements.documents import make_document
from carebroker.placements.models import PlacementDocument
from tests.placements.conftest import (
    ADDRESS,
    CONTACT,
    CONTACT_PHONE,
    FULL_NAME,
    PHONE,
    POSTCODE,
    flat,
    page_ink,
    pdf_text,
)


def _isp(package, provider, now) -> tuple[PlacementDocument, str]:
    (document,) = make_document(package, "isp", now=now, provider=provider)
    return document, PlacementDocument.objects.get(pk=document.pk).password


def test_isp_renders_the_package_from_the_provider_view(leics, now):
    """The ISP names the Mosaic ID, the package and the anonymised person, on pages with ink."""
    _, package, alder, _ = leics
    document, password = _isp(package, alder, now)
    text = flat(pdf_text(bytes(document.content), password))
    assert "M1001" in text
    assert "Information to Service Provider" in text
    assert "Alder Homecare" in text
    assert "10.5" in text and "Monday 7 December 2026" in text
    assert "A.L." in text and "03/2012" in text and "LE18 9" in text and "Wigston" in text
    ink = page_ink(bytes(document.content), password)
    assert ink and all(count > 500 for count in ink)


def test_isp_opens_only_with_its_password(leics, now):
    """Without a password or with a wrong one the ISP does not open; with its own it does."""
    _, package, alder, _ = leics
    document, password = _isp(package, alder, now)
    reader = pypdf.PdfReader(io.BytesIO(bytes(document.content)))
    assert reader.is_encrypted
    assert document.encrypted
    with pytest.raises(pypdf.errors.FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert reader.decrypt("not-the-password") == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt(password) != pypdf.PasswordType.NOT_DECRYPTED
    assert "M1001" in reader.pages[0].extract_text()


def test_isp_is_aes_256(leics, now):
    """The encryption is AES-256 (/V 5, /R 6), not the broken RC4 of old PDFs."""
    _, package, alder, _ = leics
    document, _ = _isp(package, alder, now)
    encrypt = pypdf.PdfReader(io.BytesIO(bytes(document.content))).trailer["/Encrypt"]
    assert encrypt["/V"] == 5 and encrypt["/R"] == 6


def test_each_isp_file_has_a_new_password_never_reused(leics, now):
    """A provider's second ISP (a new version of the same package's) has a new password:
    the first one's does not open it, nor does another provider's."""
    council, package, alder, birch = leics
    first, first_password = _isp(package, alder, now)
    second, second_password = _isp(package, alder, now)
    _, birch_password = _isp(package, birch, now)
    assert len({first_password, second_password, birch_password}) == 3
    reader = pypdf.PdfReader(io.BytesIO(bytes(second.content)))
    assert reader.decrypt(first_password) == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt(birch_password) == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt(second_password) != pypdf.PasswordType.NOT_DECRYPTED


def test_isp_password_is_sealed_at_rest(leics, now):
    """The database holds a Fernet token, not the password (ENCRYPTION_KEYS): a copy of the
    table opens no ISP."""
    _, package, alder, _ = leics
    document, password = _isp(package, alder, now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT password FROM placements_placementdocument WHERE id = %s", [document.pk]
        )
        (raw,) = cursor.fetchone()
    assert raw != password and password not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token (version byte 0x80)
    reader = pypdf.PdfReader(io.BytesIO(bytes(document.content)))
    assert reader.decrypt(raw) == pypdf.PasswordType.NOT_DECRYPTED


def test_isp_carries_none_of_the_full_record(leics, now):
    """Name, full date of birth, telephone numbers, full postcode and address never appear
    in the ISP (docs/policies.md §6.2), not even in the free text that named them."""
    _, package, alder, _ = leics
    document, password = _isp(package, alder, now)
    text = flat(pdf_text(bytes(document.content), password))
    raw = pdf_text(bytes(document.content), password)
    for secret in (FULL_NAME, "Lovelock", CONTACT, ADDRESS, "Quarry", POSTCODE, "LE18 9QP"):
        assert secret not in text, secret
    for secret in ("02/03/2012", "2 March 2012", "2012-03-02"):
        assert secret not in text, secret
    digits = "".join(c for c in raw if c.isdigit())
    for phone in (PHONE, CONTACT_PHONE):
        assert "".join(c for c in phone if c.isdigit()) not in digits, phone
    metadata = pypdf.PdfReader(io.BytesIO(bytes(document.content)))
    metadata.decrypt(password)
    assert "Lovelock" not in str(metadata.metadata)


def test_isp_filename_names_mosaic_id_and_provider(leics, now):
    """ "2026 11 23 M1001 ISP for Alder Homecare.pdf" (seed 004's file naming)."""
    _, package, alder, _ = leics
    document, _ = _isp(package, alder, now)
    assert document.filename == "2026 11 23 M1001 ISP for Alder Homecare.pdf"
    assert document.content_type == "application/pdf"


def test_isp_for_a_provider_of_another_council_is_refused(leics, kent, now):
    """A provider of another council gets no ISP: the message names the provider field."""
    _, package, _, _ = leics
    _, _, kent_alder, _ = kent
    with pytest.raises(ValueError, match="^provider: .*another council"):
        make_document(package, "isp", now=now, provider=kent_alder)
    assert not PlacementDocument.objects.exists()


def test_isp_uses_the_packages_stored_provider_view(leics, now):
    """The ISP shows the provider view stored on the package (made once, on acceptance),
    not whatever the full record says now."""
    _, package, alder, _ = leics
    package.provider_view = {
        "name": "A.L.",
        "dob": "03/2012",
        "town": "Wigston",
        "postcode": "LE18 9",
        "relations": [],
        "worker": None,
        "principal_contact": None,
        "needs": "Two carers for transfers, from the stored view.",
        "notes": "",
    }
    package.save()
    person = package.person
    person.needs = "Changed later in the full record."
    person.save()
    document, password = _isp(package, alder, now)
    text = flat(pdf_text(bytes(document.content), password))
    assert "Two carers for transfers, from the stored view." in text
    assert "Changed later" not in text


@pytest.mark.parametrize(
    ("name", "phone", "postcode", "address"),
    [
        ("Mary-Jane O'Neill", "+44 (0)7700 900987", "CO4 3SQ", "Flat 2, 9 Mill Road"),
        ("Zofia Kowalczyk", "07700-900-321", "ME14 1XX", "The Old Forge, Pound Lane"),
    ],
)
def test_isp_leaks_nothing_of_other_made_up_records(leics, now, name, phone, postcode, address):
    """Hyphens, apostrophes, +44 numbers and named houses: still none of it in the ISP, even
    where the needs text repeats them."""
    _, package, alder, _ = leics
    person = package.person
    person.name, person.phone, person.postcode, person.address = name, phone, postcode, address
    person.allocated_worker = "Dan Evans"
    person.needs = f"{name} at {address}, {postcode}; phone {phone}. Worker Dan Evans."
    person.save()
    document, password = _isp(package, alder, now)
    text = flat(pdf_text(bytes(document.content), password))
    for secret in (*name.replace("-", " ").split(), postcode, *address.split(", "), "Dan Evans"):
        assert secret not in text, secret
    digits = "".join(c for c in text if c.isdigit())
    assert "7700900" not in digits
