"""The notice templates: a subject with the Mosaic ID, deadlines in London local time, and
nothing of the person beyond what the recipient may see (docs/policies.md §6.2)."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from carebroker.outbox.models import NoticeKind
from carebroker.outbox.notices import CONTEXT_KEYS, WITHOUT_PACKAGE, queue_notice
from tests.outbox.conftest import NOW
from tests.outbox.samples import MUST_SAY, SAMPLES


def queued(council, package, kind, context=None):
    with transaction.atomic():
        return queue_notice(
            council=council,
            kind=kind,
            key=f"{kind}:{package.case_number}",
            to=["to@example.org"],
            context=SAMPLES[kind] if context is None else context,
            package=None if kind in WITHOUT_PACKAGE else package,
            now=NOW,
        )


def test_every_kind_has_a_sample_and_expected_text():
    """Each notice kind is covered below (a new kind needs its template and its test)."""
    assert set(SAMPLES) == set(NoticeKind.values) == set(MUST_SAY)


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_notice_names_the_package_and_says_what_its_kind_must_say(council, package, kind):
    """The subject carries the Mosaic ID (the body, for a list of packages); the body the
    kind's facts and the team's name."""
    notice = queued(council, package, kind)
    assert notice.subject and "\n" not in notice.subject
    if kind == NoticeKind.CAPACITY_REMINDER:  # about the provider, no package (policies §8)
        assert "M1001" not in notice.subject + notice.body
    elif kind in WITHOUT_PACKAGE:  # a list of packages: every Mosaic ID in the body
        assert "M1001" in notice.body and "M1002" in notice.body
    else:
        assert "M1001" in notice.subject
    assert notice.body.startswith(f"Dear {SAMPLES[kind]['recipient']},")
    for text in MUST_SAY[kind]:
        assert text in notice.body, f"{kind}: {text!r} missing from\n{notice.body}"
    assert f"Brokerage Team\n{council.name}" in notice.body
    assert "\n\n\n" not in notice.body
    assert notice.subject in notice.html


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        (
            NoticeKind.REQUEST_SENT,
            "Package M1001: can you offer? Reply by 10:00 on Monday 23 November 2026",
        ),
        (
            NoticeKind.BATCH_REPORT,
            "Packages available in North: reply by 10:00 on Monday 23 November 2026",
        ),
        (
            NoticeKind.ISP_SENT,
            "Package M1001: ISP sent, please answer by 10:00 on Monday 23 November 2026",
        ),
        (
            NoticeKind.CHASE,
            "Reminder: package M1001, please answer by 10:00 on Monday 23 November 2026",
        ),
        (NoticeKind.ESCALATION, "RED: package M1001 waiting 10 working days"),
    ],
)
def test_subject_line(council, package, kind, subject):
    """Subjects a broker can scan in an inbox: what, which package, by when."""
    assert queued(council, package, kind).subject == subject


def test_summer_deadline_is_shown_in_british_summer_time(council, package):
    """docs/policies.md §1: a deadline at 09:00 UTC in June is 10:00 in London (BST)."""
    context = {**SAMPLES[NoticeKind.CHASE], "deadline": datetime(2027, 6, 14, 9, 0, tzinfo=UTC)}
    notice = queued(council, package, NoticeKind.CHASE, context)
    assert "10:00 on Monday 14 June 2027" in notice.subject
    assert "10:00 on Monday 14 June 2027" in notice.body


def test_interest_request_asks_only_whether_details_are_wanted(council, package):
    """Batch interest round (docs/policies.md §4.2): the question is whether to see more."""
    context = {**SAMPLES[NoticeKind.REQUEST_SENT], "round": "interest", "urgent": True}
    notice = queued(council, package, NoticeKind.REQUEST_SENT, context)
    assert notice.subject.startswith("URGENT: Package M1001: are you interested?")
    assert "whether you would like to receive the full details" in notice.body


@pytest.mark.parametrize(
    "kind",
    [
        NoticeKind.REQUEST_SENT,
        NoticeKind.ISP_SENT,
        NoticeKind.AWARD,
        NoticeKind.NOT_CHOSEN,
        NoticeKind.DECLINE_ACKNOWLEDGEMENT,
    ],
)
def test_provider_notice_shows_nothing_of_the_full_record(council, package, kind):
    """A provider's notice is made from the context given (the provider view), never from
    the package's person: name, phone, address, postcode and date of birth stay out."""
    person = package.person
    notice = queued(council, package, kind)
    text = notice.subject + notice.body + notice.html
    for secret in (
        person.name,
        person.phone,
        person.address,
        person.postcode,
        person.principal_contact,
        person.principal_contact_phone,
        person.allocated_worker,
        "1941-03-02",
        "2 March 1941",
    ):
        assert secret not in text, f"{kind} shows {secret!r}"


def test_plain_text_is_not_html_escaped_but_html_part_is(council, package):
    """A provider called "Birch & Sons" reads so in the text part; the HTML part escapes it."""
    context = {**SAMPLES[NoticeKind.DECLINE_ACKNOWLEDGEMENT], "recipient": "Birch & Sons <Care>"}
    notice = queued(council, package, NoticeKind.DECLINE_ACKNOWLEDGEMENT, context)
    assert "Dear Birch & Sons <Care>," in notice.body
    assert "Birch &amp; Sons &lt;Care&gt;" in notice.html
    assert "<Care>" not in notice.html


@pytest.mark.parametrize("kind", NoticeKind.values)
def test_notice_reads_well_with_only_the_keys_its_kind_needs(council, package, kind):
    """The optional keys left out leave no gaps ("We  about", " ,") in subject or body."""
    context = {key: SAMPLES[kind][key] for key in ("recipient", *CONTEXT_KEYS[kind])}
    notice = queued(council, package, kind, context)
    for text in (notice.subject, notice.body):
        for gap in ("  ", " ,", " .", " :", "()", ",,"):
            assert gap not in text, f"{kind}: {gap!r} in\n{text}"
