"""Provider replies by email, tried as an attacker would (issue 12 finding 2, finding 3 and
the low findings on Message-ID and arrival time)."""

import time
from datetime import timedelta

import pytest

from carebroker.exchange import replies
from carebroker.exchange.models import InboundReply
from carebroker.exchange.replies import ReplyReader
from carebroker.exchange.reply_text import html_text
from carebroker.outbox.models import Notice
from carebroker.outbox.reply_address import reply_address
from carebroker.sourcing.models import SourcingRequest
from tests.exchange.replies_world import TUESDAY_11, eml, leics_tender

pytestmark = pytest.mark.django_db

NOW = TUESDAY_11 + timedelta(hours=1)
# The regex this replaced took 103 s on 40,000 `<script>`, and stdlib html.parser takes
# minutes on 40,000 `<a ` (both quadratic); lxml takes milliseconds. 5 s is far from
# both, so the bound cannot flake on a loaded machine and cannot pass a quadratic parser.
LINEAR_BOUND = 5.0
PATHOLOGICAL = ["<script>", "<a ", "<!--", "<style>", "<p>"]


@pytest.fixture
def leics():
    return leics_tender()


def email_of(provider):
    return provider.contacts.get().email


def request_of(package, provider):
    return SourcingRequest.objects.filter(package=package, provider=provider).latest("seq")


def read(council, raw, tmp_path, now=NOW):
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    return ReplyReader(council, now=now).handle(path)


@pytest.mark.parametrize("unit", PATHOLOGICAL)
def test_html_of_40k_repeated_tags_is_read_in_linear_time(unit):
    """40,000 repeats of a tag that made the old stripping quadratic: read in well under
    LINEAR_BOUND, the reply's own words kept, the markup gone."""
    markup = "<p>L5001: N (A)</p>" + unit * 40_000
    started = time.monotonic()
    text = html_text(markup)
    assert time.monotonic() - started < LINEAR_BOUND
    assert text.splitlines()[0] == "L5001: N (A)"
    assert "<" not in text


def test_html_text_keeps_lines_and_entities_and_drops_scripts():
    text = html_text("<div>Yes &amp; £22.00<br>per hour</div><script>no()</script><p>Thanks</p>")
    assert text.split("\n")[:3] == ["Yes & £22.00", "per hour", "Thanks"]


def test_an_html_bomb_email_is_read_fast_end_to_end(leics, tmp_path):
    """The issue's email (HTML only, 40k `<script>`) is read and its answer recorded."""
    oak = leics.providers[0]
    raw = eml(email_of(oak), "L5001", "", html="<p>N (A)</p>" + "<script>" * 40_000)
    started = time.monotonic()
    report = read(leics.council, raw, tmp_path)
    assert time.monotonic() - started < LINEAR_BOUND
    assert report.recorded == 1
    assert request_of(leics.package, oak).reason == "A"


def test_an_email_that_stops_the_reader_is_saved_first_and_never_read_again(
    leics, tmp_path, monkeypatch
):
    """An email whose parsing kills the reader (simulated: the HTML reader raises
    SystemExit, as a killed process would stop) was saved before parsing, queued for a
    broker; the next run skips it instead of hanging on it again."""
    oak = leics.providers[0]
    raw = eml(email_of(oak), "L5001", "", html="<p>N (A)</p>")

    def killed(_markup):
        raise SystemExit("killed while parsing")

    monkeypatch.setattr(replies, "html_text", killed)
    with pytest.raises(SystemExit):
        read(leics.council, raw, tmp_path)
    saved = InboundReply.objects.get()
    assert saved.status == "queued" and "being read" in saved.reason
    assert "N (A)" in saved.text  # the raw email, for the broker
    monkeypatch.undo()
    again = read(leics.council, raw, tmp_path)
    assert (again.skipped, again.recorded) == (1, 0)
    assert request_of(leics.package, oak).outcome == "open"


def test_a_forged_from_without_our_reply_token_is_queued_never_recorded(leics, tmp_path):
    """The issue's attack: From: a provider's contact, sent to the brokerage mailbox (no
    token): queued for a broker; the request stays open."""
    oak = leics.providers[0]
    raw = eml(email_of(oak), "L5001", "N (A)", to="brokerage@council.example.org")
    report = read(leics.council, raw, tmp_path)
    assert (report.recorded, report.queued) == (0, 1)
    reply = InboundReply.objects.get()
    assert reply.status == "queued" and "no valid reply token" in reply.reason
    assert request_of(leics.package, oak).outcome == "open"


def test_a_reply_token_of_another_providers_notice_is_queued(leics, tmp_path):
    """Elm's token on an email From: Oak (Elm forging Oak, or a mix-up) is not Oak's."""
    oak, elm = leics.providers
    elm_notice = next(n for n in Notice.objects.order_by("-id") if email_of(elm) in n.to)
    raw = eml(email_of(oak), "L5001", "N (A)", to=reply_address(elm_notice.pk))
    report = read(leics.council, raw, tmp_path)
    assert report.queued == 1
    assert "another provider" in InboundReply.objects.get().reason
    assert request_of(leics.package, oak).outcome == "open"


def test_a_tampered_reply_token_is_not_valid(leics, tmp_path):
    oak = leics.providers[0]
    good = eml(email_of(oak), "L5001", "N (A)")
    address = next(line for line in good.decode().splitlines() if line.startswith("To:")).split()[1]
    notice_id, mac = address.split("+", 1)[1].split("@")[0].split("-")
    forged = address.replace(f"{notice_id}-{mac}", f"{notice_id}-{'0' * 16}")
    report = read(leics.council, eml(email_of(oak), "L5001", "N (A)", to=forged), tmp_path)
    assert report.queued == 1
    assert request_of(leics.package, oak).outcome == "open"


def test_our_notices_carry_their_reply_address(leics):
    """Every notice is sent with Reply-To its own tokened address (outbox/delivery.py)."""
    from carebroker.outbox.delivery import _email

    notice = Notice.objects.order_by("id").first()
    assert _email(notice).reply_to == [reply_address(notice.pk)]


def test_a_reused_message_id_from_another_sender_does_not_hide_the_real_reply(leics, tmp_path):
    """A stranger's email carrying the Message-ID the provider's reply will use is
    queued; the provider's real reply with that Message-ID is still read and recorded."""
    oak = leics.providers[0]
    same = "<reply-1@provider.example.org>"
    read(leics.council, eml("stranger@elsewhere.example.org", "L5001", "hi", message_id=same),
         tmp_path)  # fmt: skip
    report = read(leics.council, eml(email_of(oak), "L5001", "N (A)", message_id=same), tmp_path)
    assert report.recorded == 1
    assert request_of(leics.package, oak).reason == "A"


def test_responded_at_is_when_it_arrived_not_the_senders_date_header(leics, tmp_path):
    """An email with no Received stamp of our server and a Date: header an hour before it
    was read (a back-dated answer, inside the deadline) is answered at the time it was
    read, not at its Date."""
    oak = leics.providers[0]
    raw = eml(email_of(oak), "L5001", "N (A)", date=NOW - timedelta(hours=1), received=False)
    read(leics.council, raw, tmp_path, now=NOW)
    assert request_of(leics.package, oak).responded_at == NOW
