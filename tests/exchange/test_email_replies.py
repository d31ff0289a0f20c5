"""Reading provider replies by email (issue 6 item 3): an answer that is clear is recorded
through the engine at the time the email arrived; anything unsure goes to the broker's
queue with the original text, and nothing is recorded (docs/architecture.md §10)."""

import io
import mailbox
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from carebroker.exchange.models import InboundReply
from carebroker.exchange.replies import ReplyReader
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.exchange.batch_world import MONDAY_10, essex_batch
from tests.exchange.replies_world import TUESDAY_11, eml, leics_tender

pytestmark = pytest.mark.django_db

MONDAY_0930 = MONDAY_10 - timedelta(minutes=30)


def read(council, raw, tmp_path, now=TUESDAY_11 + timedelta(hours=1), name="reply.eml"):
    path = tmp_path / name
    path.write_bytes(raw)
    return ReplyReader(council, now=now).handle(path)


def request_of(package, provider):
    return SourcingRequest.objects.filter(package=package, provider=provider).latest("seq")


def recorded_state():
    return (
        sorted(SourcingRequest.objects.values_list("id", "outcome", "rate", "coverage", "reason")),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def leics():
    return leics_tender()


def email_of(provider):
    return provider.contacts.get().email


def test_essex_interest_email_records_interest_for_each_mosaic_id_when_it_arrived(tmp_path):
    """Seed 000: 'an email response identifying the Mosaic numbers' is interest in each,
    at the time the email arrived (Monday 09:30, before the 10:00 deadline)."""
    world = essex_batch()
    alder = world.tier1[0]
    raw = eml(
        email_of(alder),
        "RE: North batch report",
        "Hello,\n\nPlease could we request the ISPs for M4001 and M4003.\n\nKind regards\n",
        at=MONDAY_0930,
    )
    report = read(world.council, raw, tmp_path, now=MONDAY_0930 + timedelta(minutes=5))
    assert report.recorded == 1
    for case in ("M4001", "M4003"):
        request = request_of(world.packages[case], alder)
        assert (request.round, request.outcome, request.responded_at) == (
            "interest",
            "interest",
            MONDAY_0930,
        )
    assert request_of(world.packages["M4002"], alder).outcome == "open"
    reply = InboundReply.objects.get()
    assert (reply.status, reply.provider) == ("recorded", alder)


def test_quoted_batch_email_is_not_read_only_the_providers_own_words(tmp_path):
    """A reply quotes our batch email with every Mosaic ID; only the case the provider
    wrote about (M4002) is interest."""
    world = essex_batch()
    alder = world.tier1[0]
    body = (
        "We would like the ISP for M4002 please.\n\n"
        "On Fri, 20 Nov 2026 at 16:00, Brokerage wrote:\n"
        "> Packages: M4001, M4002, M4003\n> Please tell us by 10:00 on Monday.\n"
    )
    read(world.council, eml(email_of(alder), "Re: batch", body, at=MONDAY_0930), tmp_path,
         now=MONDAY_0930)  # fmt: skip
    assert request_of(world.packages["M4002"], alder).outcome == "interest"
    assert request_of(world.packages["M4001"], alder).outcome == "open"
    assert request_of(world.packages["M4003"], alder).outcome == "open"


def test_yes_with_a_rate_is_a_full_offer_at_that_rate(leics, tmp_path):
    """Seed 004: 'Yes - meet in full' with '£24.10 per hour' is a full offer at £24.10."""
    oak = leics.providers[0]
    body = "Yes - we can meet this in full at £24.10 per hour.\n\nThanks\n"
    report = read(leics.council, eml(email_of(oak), "Re: Package L5001: referral", body), tmp_path)
    assert report.recorded == 1
    request = request_of(leics.package, oak)
    assert (request.outcome, request.coverage, request.rate, request.responded_at) == (
        "offer",
        "full",
        Decimal("24.10"),
        TUESDAY_11,
    )


def test_y_part_is_a_part_offer(leics, tmp_path):
    """Seed 004: 'Y - part' is an offer for part of the package."""
    oak = leics.providers[0]
    read(leics.council, eml(email_of(oak), "L5001", "Y - part: we can cover Saturdays.\n"),
         tmp_path)  # fmt: skip
    request = request_of(leics.package, oak)
    assert (request.outcome, request.coverage) == ("offer", "part")


def test_no_with_a_code_is_a_decline_with_that_code(leics, tmp_path):
    """Seed 004: 'N (X)' using the code of Part B is a decline with reason X."""
    oak = leics.providers[1]
    read(leics.council, eml(email_of(oak), "Re: L5001", "N (C) - no staff in that area.\n"),
         tmp_path)  # fmt: skip
    request = request_of(leics.package, oak)
    assert (request.outcome, request.reason) == ("decline", "C")


def test_different_answers_on_their_own_lines_go_to_their_cases(leics, tmp_path):
    """One email answering two referrals, a line each."""
    oak = leics.providers[0]
    body = "L5001 - Y - £23.50 per hour\nL5002 - N (B)\n"
    read(leics.council, eml(email_of(oak), "Our answers", body), tmp_path)
    first, second = request_of(leics.package, oak), request_of(leics.other, oak)
    assert (first.outcome, first.rate) == ("offer", Decimal("23.50"))
    assert (second.outcome, second.reason) == ("decline", "B")


def test_html_only_email_is_read(leics, tmp_path):
    """An email with only an HTML part is read from its text."""
    oak = leics.providers[0]
    raw = eml(
        email_of(oak), "L5001", "", html="<p>Yes, we can meet it in full.</p><p>£22.00 per hour</p>"
    )
    read(leics.council, raw, tmp_path)
    assert request_of(leics.package, oak).rate == Decimal("22.00")


@pytest.mark.parametrize(
    ("sender", "subject", "body", "reason"),
    [
        ("stranger@elsewhere.example.org", "L5001", "Yes at £20.00 per hour", "unknown sender"),
        (None, "Hello", "Yes we can meet it in full at £20.00 per hour", "no Mosaic ID"),
        (None, "L5001", "Yes we can meet part of it.\nNo capacity on Sundays.", "conflicting"),
        (None, "L5001", "Yes - we can meet this in full.", "without its hourly rate"),
        (None, "L5001", "Yes at £20.00 or £21.00 per hour", "several rates"),
        (None, "L5001", "Thanks, we will look at it.", "no answer found"),
    ],
    ids=["unknown-sender", "no-case", "conflicting", "rate-missing", "two-rates", "no-answer"],
)
def test_unsure_replies_are_queued_with_the_text_and_nothing_recorded(
    leics, tmp_path, sender, subject, body, reason
):
    """Unsure: the reply waits for a broker with the reason and its original text."""
    before = recorded_state()
    raw = eml(sender or email_of(leics.providers[0]), subject, body)
    report = read(leics.council, raw, tmp_path)
    assert report.queued == 1 and report.recorded == 0
    reply = InboundReply.objects.get()
    assert reply.status == "queued" and reason in reply.reason
    assert body.split("\n")[0] in reply.text
    assert recorded_state() == before


def test_answer_the_engine_does_not_take_is_queued_and_nothing_recorded(tmp_path):
    """An Essex reply about a package whose request to this provider is not in a round
    that takes it (a Tier 2 provider never sent the batch) is queued."""
    world = essex_batch()
    raw = eml(email_of(world.tier2), "M4002", "Please send the ISP for M4002", at=MONDAY_0930)
    before = recorded_state()
    read(world.council, raw, tmp_path, now=MONDAY_0930)
    reply = InboundReply.objects.get()
    assert reply.status == "queued" and "M4002" in reply.reason
    assert recorded_state() == before


def test_the_same_email_twice_records_once(leics, tmp_path):
    """Idempotent by Message-ID: the second reading skips it."""
    oak = leics.providers[0]
    raw = eml(email_of(oak), "L5001", "N (A)")
    read(leics.council, raw, tmp_path)
    before = recorded_state()
    again = read(leics.council, raw, tmp_path)
    assert (again.skipped, again.recorded) == (1, 0)
    assert recorded_state() == before
    assert InboundReply.objects.count() == 1


def test_mbox_and_maildir_are_read_message_by_message(leics, tmp_path):
    """An mbox file and a Maildir: each email once, in order."""
    oak, elm = leics.providers
    box = mailbox.mbox(tmp_path / "replies.mbox")
    box.add(eml(email_of(oak), "L5001", "N (A)", message_id="<a@x.example.org>"))
    box.add(eml(email_of(elm), "L5001", "Hello", message_id="<b@x.example.org>"))
    box.flush()
    report = ReplyReader(leics.council, now=TUESDAY_11).handle(tmp_path / "replies.mbox")
    assert (report.recorded, report.queued) == (1, 1)
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(eml(email_of(elm), "L5002", "N (D)", message_id="<c@x.example.org>"))
    report = ReplyReader(leics.council, now=TUESDAY_11).handle(tmp_path / "Maildir")
    assert report.recorded == 1
    assert request_of(leics.other, elm).reason == "D"


def test_arrival_time_is_never_after_now_nor_taken_from_a_later_date_header(leics, tmp_path):
    """A Date header later than the reading time cannot be the arrival time."""
    oak = leics.providers[0]
    future = TUESDAY_11 + timedelta(days=3)
    read(leics.council, eml(email_of(oak), "L5001", "N (A)", at=future), tmp_path,
         now=TUESDAY_11)  # fmt: skip
    assert request_of(leics.package, oak).responded_at == TUESDAY_11


def test_command_reads_a_folder_and_prints_each_email(leics, tmp_path):
    """`carebroker ingest-email DIR --council C`."""
    oak = leics.providers[0]
    (tmp_path / "1.eml").write_bytes(eml(email_of(oak), "L5001", "N (A)"))
    (tmp_path / "2.eml").write_bytes(eml("x@y.example.org", "L5001", "no", message_id="<z@y>"))
    printed = io.StringIO()
    call_command(
        "ingest_email",
        str(tmp_path),
        council=leics.council.slug,
        at="2026-11-24T12:00",
        stdout=printed,
    )
    out = printed.getvalue()
    assert "1.eml: recorded: L5001 decline" in out
    assert "2.eml: queued: unknown sender" in out
    assert "1 recorded, 1 queued for a broker, 0 already read" in out
