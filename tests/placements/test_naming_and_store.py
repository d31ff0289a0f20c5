"""File names "YYYY MM DD description" (seed 004), kept with the package and listed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carebroker.placements.documents import (
    DocumentRefused,
    documents_for,
    keep_signed_ipa,
    make_document,
)
from carebroker.placements.models import PlacementDocument
from carebroker.placements.naming import clean_part, day_prefix, document_name, unclashing
from tests.factories import make_user


def test_name_is_the_london_date_then_the_description():
    """ "2026 11 23 M1001 ISP for Alder Homecare.pdf"."""
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert document_name(now, "M1001 ISP for Alder Homecare", "pdf") == (
        "2026 11 23 M1001 ISP for Alder Homecare.pdf"
    )


def test_name_date_is_the_council_day_not_utc():
    """23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the file is dated 1 July
    (docs/policies.md §1: council local time)."""
    assert day_prefix(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "2026 07 01"
    assert day_prefix(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "2026 12 31"


def test_name_needs_an_aware_time():
    """A naive time has no day in London: refused, naming `now`."""
    with pytest.raises(ValueError, match="^now: "):
        day_prefix(datetime(2026, 11, 23, 10, 0))  # noqa: DTZ001


def test_characters_the_shared_drive_refuses_are_dropped():
    """A provider called "A/B: Care" cannot put a slash or colon into a file name."""
    assert clean_part('A/B: Care "Plus"?') == "A B Care Plus"


def test_a_taken_name_gets_the_next_number():
    """The second file of a name gets " (2)", the third " (3)"."""
    name = "2026 11 23 M1001 ISP for Alder Homecare.pdf"
    assert unclashing(name, set()) == name
    assert unclashing(name, {name}) == "2026 11 23 M1001 ISP for Alder Homecare (2).pdf"
    second = "2026 11 23 M1001 ISP for Alder Homecare (2).pdf"
    assert unclashing(name, {name, second}) == "2026 11 23 M1001 ISP for Alder Homecare (3).pdf"


def test_two_runs_on_one_day_keep_both_files(awarded, now):
    """A second run the same day never replaces the first (it may have been sent): both
    are kept, the second named " (2)"."""
    _, package, _, _ = awarded
    first = make_document(package, "ipa", now=now)
    second = make_document(package, "ipa", now=now.replace(hour=15))
    assert [d.filename for d in second] == [
        "2026 11 23 (A.L. & M1001) IPA for Alder Homecare (2).docx",
        "2026 11 23 (A.L. & M1001) IPA for Alder Homecare (2).pdf",
    ]
    assert PlacementDocument.objects.filter(package=package).count() == 4
    assert all(PlacementDocument.objects.filter(pk=d.pk).exists() for d in first)


def test_documents_for_lists_the_packages_documents_oldest_first(awarded, now):
    """documents_for(package) lists its documents by when they were made, no other package's."""
    council, package, alder, birch = awarded
    make_document(package, "isp", now=now, provider=birch)
    make_document(package, "sdo", now=now.replace(hour=11))
    make_document(package, "not_chosen", now=now.replace(hour=12), provider=birch, code="D1")
    listed = list(documents_for(package))
    assert [d.kind for d in listed] == ["isp", "sdo", "not_chosen"]
    assert [d.provider for d in listed] == [birch, alder, birch]
    assert all(d.council == council for d in listed)
    assert bytes(listed[1].content).startswith(b"%PDF")


def test_documents_for_shows_nothing_of_another_package(awarded, kent, now):
    """Another council's package M1001 lists none of this one's documents."""
    _, package, _, birch = awarded
    _, other, _, _ = kent
    make_document(package, "isp", now=now, provider=birch)
    assert list(documents_for(other)) == []


def test_the_user_who_made_a_document_is_kept(awarded, now):
    """created_by records the broker who made it."""
    council, package, _, birch = awarded
    broker = make_user(council)
    (isp,) = make_document(package, "isp", now=now, provider=birch, created_by=broker)
    assert isp.created_by == broker and isp.created_at == now


def test_a_user_of_another_council_cannot_make_a_document(awarded, kent, now):
    """A broker of another council is refused, naming created_by; nothing is kept."""
    _, package, _, birch = awarded
    other_broker = make_user(kent[0])
    with pytest.raises(DocumentRefused, match="^created_by: "):
        make_document(package, "isp", now=now, provider=birch, created_by=other_broker)
    assert not PlacementDocument.objects.exists()


def test_unknown_kind_and_unknown_option_are_refused_by_name(awarded, now):
    """A kind or an option that does not exist is named in the refusal, with what exists."""
    _, package, _, birch = awarded
    with pytest.raises(DocumentRefused, match="^kind: unknown document 'letter'; known: isp"):
        make_document(package, "letter", now=now)
    with pytest.raises(DocumentRefused, match="^colour: not an option of the isp document"):
        make_document(package, "isp", now=now, provider=birch, colour="red")


def test_the_signed_ipa_returned_is_kept_under_its_own_name(awarded, now):
    """The winner's signed IPA is kept as "YYYY MM DD (A.L. & M1001) Signed IPA for Alder
    Homecare.pdf" (seed 004 step 24) and listed with the package."""
    _, package, alder, _ = awarded
    kept = keep_signed_ipa(package, b"%PDF-1.7 signed copy", "pdf", now=now)
    assert kept.filename == "2026 11 23 (A.L. & M1001) Signed IPA for Alder Homecare.pdf"
    assert kept.kind == "signed_ipa" and kept.provider == alder
    assert list(documents_for(package)) == [kept]


def test_a_signed_ipa_that_is_not_a_pdf_or_docx_is_refused(awarded, now):
    """A file that is not what its extension says is refused, naming the content."""
    _, package, _, _ = awarded
    with pytest.raises(DocumentRefused, match="^content: not a pdf file"):
        keep_signed_ipa(package, b"<html>", "pdf", now=now)
    with pytest.raises(DocumentRefused, match="^extension: 'exe'"):
        keep_signed_ipa(package, b"MZ", "exe", now=now)
    assert not PlacementDocument.objects.exists()


def test_a_very_long_description_is_cut_to_fit_the_stored_name():
    """A provider with a 300-character name still gives a name that fits 255 characters,
    with room for " (2)"."""
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    name = document_name(now, "M1001 ISP for " + "Very Long Care " * 20, "pdf")
    assert name.startswith("2026 11 23 M1001 ISP for Very Long Care")
    assert len(unclashing(name, {name})) <= 255


def test_a_signed_ipa_docx_that_unpacks_past_the_limit_is_refused(awarded, now):
    """Issue 12 finding 1: a .docx is a zip; one whose part unpacks past the cap (a few
    hundred kilobytes on disk) is refused from its zip directory, and nothing is kept."""
    from carebroker.lib.zipcheck import MAX_MEMBER_UNPACKED
    from tests.exchange.bombs import deflated_repeat, write_zip

    _, package, _, _ = awarded
    data, crc, size = deflated_repeat(b"<w:document>", b"A", MAX_MEMBER_UNPACKED >> 20 | 1, b"")
    bomb = write_zip([("word/document.xml", data, crc, size, 8)])
    with pytest.raises(DocumentRefused, match="^content: signed IPA.docx: word/document.xml"):
        keep_signed_ipa(package, bomb, "docx", now=now)
    assert not PlacementDocument.objects.exists()
