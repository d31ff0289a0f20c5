"""The winner returns its signed IPA in the portal (seed 004 step 24): a PDF smaller than
5 MB, refused on the file field otherwise with nothing kept; another provider's package
is a 404; each upload is a new version."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from carebroker.placements.models import DocumentKind, PlacementDocument
from tests.placements.ipa_world import RETURNED, leics_awarded
from tests.web.pages import client_for, field_error, main_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = leics_awarded()
    with mock.patch("django.utils.timezone.now", return_value=RETURNED):
        yield world


def _url(world):
    return f"/portal/awarded/{world.package.case_number}/signed-ipa/"


def _upload(client, world, name, content):
    return client.post(_url(world), {"file": SimpleUploadedFile(name, content)})


def _signed(world):
    return PlacementDocument.objects.filter(package=world.package, kind=DocumentKind.SIGNED_IPA)


def test_the_winner_uploads_the_signed_ipa_and_it_is_kept(world):
    client = client_for(world.winner_user)
    response = _upload(client, world, "signed.pdf", world.ipa_pdf())
    assert response.status_code == 302
    [kept] = _signed(world)
    assert kept.filename.endswith("Signed IPA for Oak Short Breaks 1.pdf")
    assert bytes(kept.content) == world.ipa_pdf() and kept.created_by == world.winner_user
    event = world.package.timeline.get(type="signed_ipa_received")
    assert (event.source, event.actor) == ("provider", world.winner_user.username)
    page = main_of(client.get(_url(world)))
    assert kept.filename in page.replace("&amp;", "&")


def test_a_second_upload_is_a_new_version_never_a_replacement(world):
    client = client_for(world.winner_user)
    _upload(client, world, "signed.pdf", world.ipa_pdf())
    _upload(client, world, "signed again.pdf", world.ipa_pdf())
    names = sorted(_signed(world).values_list("filename", flat=True))
    assert len(names) == 2 and names[0] != names[1]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("signed.docx", b"PK\x03\x04 a Word file", "The selected file must be a PDF"),
        ("signed.exe", b"MZ", "The selected file must be a PDF"),
        ("signed.pdf", b"<html>not a pdf</html>", "The selected file is not a PDF"),
        ("signed.pdf", b"%PDF-1.7 damaged", "The selected PDF cannot be read (it may be damaged)"),
        ("signed.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_bad_file_is_refused_on_its_field_and_nothing_is_kept(world, name, content, error):
    response = _upload(client_for(world.winner_user), world, name, content)
    assert response.status_code == 400
    page = main_of(response)
    assert field_error(page, "id_file") == error
    assert "govuk-error-summary" in page
    assert not _signed(world).exists()
    assert not world.package.timeline.filter(type="signed_ipa_received").exists()


def test_a_file_of_5_mb_or_more_is_refused(world):
    content = world.ipa_pdf() + b"\n%" + b"x" * (5 * 1024 * 1024)
    response = _upload(client_for(world.winner_user), world, "signed.pdf", content)
    assert response.status_code == 400
    assert (
        field_error(main_of(response), "id_file") == "The selected file must be smaller than 5 MB"
    )
    assert not _signed(world).exists()


def test_another_providers_package_is_not_found(world):
    client = client_for(world.loser_user)
    assert client.get(_url(world)).status_code == 404
    assert _upload(client, world, "signed.pdf", world.ipa_pdf()).status_code == 404
    assert not _signed(world).exists()


def test_council_staff_cannot_use_the_portal_upload(world):
    response = _upload(client_for(world.broker), world, "signed.pdf", world.ipa_pdf())
    assert response.status_code == 403
    assert not _signed(world).exists()


def test_the_documents_page_offers_the_return_to_the_winner_only(world):
    winner_page = main_of(client_for(world.winner_user).get("/portal/documents/"))
    assert _url(world) in winner_page and "Return it signed" in winner_page
    loser_page = main_of(client_for(world.loser_user).get("/portal/documents/"))
    assert _url(world) not in loser_page and "IPA for" not in loser_page
