"""Leicestershire's IPA loop after the award (seed 004 steps 20-24): the signed IPA returned,
countersigned with who and when stamped on the PDF, the start date checked and recorded
through the engine, the copy sent back to the winner, the tracker's IPAs tab; every version
kept."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebroker.exchange.tracker import tracker_xlsx
from carebroker.outbox.models import Notice
from carebroker.placements.documents.facts import DocumentRefused
from carebroker.placements.ipa_loop import do_countersign, do_receive_signed_ipa, to_countersign
from carebroker.placements.models import DocumentKind, PlacementDocument
from tests.exchange.test_tracker_export import sheet_rows
from tests.placements.ipa_world import COUNTERSIGNED, RETURNED, leics_awarded

pytestmark = pytest.mark.django_db
START = date(2027, 1, 11)


@pytest.fixture
def world():
    return leics_awarded()


def _text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _kinds(package, kind):
    return list(PlacementDocument.objects.filter(package=package, kind=kind).order_by("pk"))


def test_countersigning_stamps_who_and_when_on_the_signed_pdf(world):
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    kept = do_countersign(world.broker, world.package, START, COUNTERSIGNED)
    assert kept.kind == DocumentKind.COUNTERSIGNED_IPA and kept.created_by == world.broker
    assert kept.filename.endswith("Countersigned IPA for Oak Short Breaks 1.pdf")
    reader = pypdf.PdfReader(io.BytesIO(bytes(kept.content)))
    signed = pypdf.PdfReader(io.BytesIO(world.ipa_pdf()))
    assert len(reader.pages) == len(signed.pages)  # stamped on its last page, none added
    last = reader.pages[-1].extract_text()
    assert f"Countersigned on behalf of {world.package.council.name}" in last
    assert "By Jo Broker" in last
    assert "On Wednesday 2 December 2026 at 14:30" in last
    assert "Start date: Monday 11 January 2027" in last
    text = _text(bytes(kept.content))
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date in the document"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a code in the document"


def test_countersigning_records_the_start_through_the_engine_and_sends_the_copy(world):
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    kept = do_countersign(world.broker, world.package, START, COUNTERSIGNED)
    timeline = world.package.timeline
    assert timeline.filter(type="placement_agreement_countersigned").count() == 1
    assert timeline.get(type="confirmed").details["start"] == "2027-01-11"
    audit = timeline.get(type="ipa_countersigned")
    assert (audit.actor, audit.at) == (world.broker.username, COUNTERSIGNED)
    notice = Notice.objects.get(package=world.package, kind="ipa_countersigned")
    assert notice.to == list(world.winner.contacts.values_list("email", flat=True))
    assert [a.filename for a in notice.attachments.all()] == [kept.filename]
    assert "Monday 11 January 2027" in notice.body


def test_a_start_before_today_is_refused_and_nothing_changes(world):
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    with pytest.raises(ValidationError) as refused:
        do_countersign(world.broker, world.package, date(2026, 12, 1), COUNTERSIGNED)
    assert "start" in refused.value.message_dict
    assert not _kinds(world.package, DocumentKind.COUNTERSIGNED_IPA)
    assert not world.package.timeline.filter(type__in=["confirmed", "ipa_countersigned"]).exists()


def test_nothing_to_countersign_before_the_signed_ipa_comes_back(world):
    with pytest.raises(ValueError, match="no signed IPA waiting"):
        do_countersign(world.broker, world.package, START, COUNTERSIGNED)


def test_only_council_staff_countersign(world):
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    with pytest.raises(PermissionDenied):
        do_countersign(world.winner_user, world.package, START, COUNTERSIGNED)


def test_only_the_winner_returns_the_signed_ipa(world):
    with pytest.raises(PermissionDenied):
        do_receive_signed_ipa(world.loser_user, world.package, world.ipa_pdf(), RETURNED)
    assert not _kinds(world.package, DocumentKind.SIGNED_IPA)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"PK\x03\x04 a Word file", "is not a PDF"),
        (b"%PDF-1.7 but nothing after", "cannot be read"),
    ],
)
def test_a_signed_ipa_that_is_not_a_readable_pdf_is_refused(world, content, why):
    with pytest.raises(DocumentRefused, match=why):
        do_receive_signed_ipa(world.winner_user, world.package, content, RETURNED)
    assert not _kinds(world.package, DocumentKind.SIGNED_IPA)


def test_a_revision_keeps_every_version_and_the_engine_is_told_once(world):
    first = do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    do_countersign(world.broker, world.package, START, COUNTERSIGNED)
    assert to_countersign(world.package) is None
    again = do_receive_signed_ipa(
        world.winner_user, world.package, world.ipa_pdf(), COUNTERSIGNED.replace(hour=15)
    )
    assert to_countersign(world.package) == again and again.filename != first.filename
    do_countersign(world.broker, world.package, START, COUNTERSIGNED.replace(hour=16))
    assert len(_kinds(world.package, DocumentKind.SIGNED_IPA)) == 2
    assert len(_kinds(world.package, DocumentKind.COUNTERSIGNED_IPA)) == 2
    assert world.package.timeline.filter(type="placement_agreement_countersigned").count() == 1


def test_tracker_ipa_tab_shows_the_countersignature_and_the_start_checked(world):
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    [row] = sheet_rows(tracker_xlsx(world.package.council, RETURNED), "IPAs created")
    assert row["Start date checked"] == "To be done" and row["Countersigned"] is None
    do_countersign(world.broker, world.package, START, COUNTERSIGNED)
    book = tracker_xlsx(world.package.council, COUNTERSIGNED)
    [row] = sheet_rows(book, "IPAs created")
    assert row["Countersigned"].date() == date(2026, 12, 2)
    assert row["Countersigned by"] == "Jo Broker"
    assert row["Start date"].date() == START and row["Start date checked"] == "Yes"
    assert row["Signed versions"] == 1
    [filled] = sheet_rows(book, "Filled")
    assert filled["Start"].date() == START
