"""Answering through the portal: each answer goes to the engine; a late one is refused
with the reason and counts for nothing (docs/policies.md §5.2); late batch interest is kept
(§4.2); ticking several batch packages sends interest in each."""

from datetime import UTC, datetime

import pytest

from carebroker.placements.models import PlacementDocument
from carebroker.portal.forms import AnswerForm
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.portal.worlds import NOW, essex_batch, kent_world

pytestmark = pytest.mark.django_db


def _request_of(world, provider, package=None):
    package = package or world.packages[0]
    return SourcingRequest.objects.filter(package=package, provider=provider).latest("seq")


def test_accept_in_time_awards_the_package(signed_in, clock):
    """A accepts at 11:00, before its 12:00 deadline: the cascade awards A at once."""
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    row = _request_of(world, world.provider_a)
    response = signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "accept"}, follow=True
    )
    assert "your answer (accepted) was received" in response.content.decode()
    world.packages[0].refresh_from_db()
    assert world.packages[0].awarded_provider == world.provider_a


def test_a_late_answer_is_refused_with_the_deadline_and_not_counted(signed_in, clock):
    """A accepts at 12:01, after its 12:00 deadline: the page says the deadline passed,
    A's request is expired (a decline, §5.2), nothing is awarded and B is approached."""
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 12, 1, tzinfo=UTC)
    row = _request_of(world, world.provider_a)
    response = signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "accept"}, follow=True
    )
    page = response.content.decode()
    assert "your answer was not counted" in page
    assert "the deadline was 12:00 on Monday 23 November 2026" in page
    row.refresh_from_db()
    world.packages[0].refresh_from_db()
    assert row.outcome == "expired"
    assert world.packages[0].awarded_provider is None
    assert _request_of(world, world.provider_b).outcome == "open"
    assert TimelineEvent.objects.filter(package=world.packages[0], type="offer").count() == 0


def test_decline_needs_a_reason_code(signed_in, clock):
    """A decline without a reason is sent back naming the field; the request stays open."""
    world = kent_world()
    row = _request_of(world, world.provider_a)
    response = signed_in(world.user_a).post(f"/portal/requests/{row.pk}/", {"action": "decline"})
    assert response.status_code == 400
    assert "Select why you are declining" in response.content.decode()
    row.refresh_from_db()
    assert row.outcome == "open"


def test_decline_with_a_reason_moves_the_cascade_on(signed_in, clock):
    """A declines (no capacity): its reason code is recorded and B is approached."""
    world = kent_world()
    row = _request_of(world, world.provider_a)
    signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "decline", "reason": "no_capacity"}
    )
    row.refresh_from_db()
    assert (row.outcome, row.reason) == ("decline", "no_capacity")
    assert _request_of(world, world.provider_b).outcome == "open"


def test_still_considering_until_a_time_before_the_start(signed_in, clock):
    """Considering until 15:00 (before the start date): the request waits until then."""
    world = kent_world()
    row = _request_of(world, world.provider_a)
    signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "considering", **_until(23, 11, 2026, "15:00")}
    )
    row.refresh_from_db()
    assert row.outcome == "considering"
    assert row.deadline == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_still_considering_past_the_start_is_refused(signed_in, clock):
    """Considering until after the requested start date is refused (§5.2) and says so;
    the request keeps its 12:00 deadline."""
    world = kent_world()
    row = _request_of(world, world.provider_a)
    response = signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/",
        {"action": "considering", **_until(20, 12, 2026, "3pm")},
        follow=True,
    )
    assert "must be before the requested start date" in response.content.decode()
    row.refresh_from_db()
    assert (row.outcome, row.deadline) == ("open", datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


def test_a_query_asks_for_documents(signed_in, clock):
    """A question in a cascade is recorded on the timeline for the broker to answer."""
    world = kent_world()
    row = _request_of(world, world.provider_a)
    signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "query", "text": "Is there parking?"}
    )
    event = TimelineEvent.objects.get(package=world.packages[0], type="documents_requested")
    assert event.details["text"] == "Is there parking?"
    question = TimelineEvent.objects.get(package=world.packages[0], type="query")
    assert question.details["text"] == "Is there parking?"  # a question, not only documents


def test_ticking_several_batch_packages_sends_interest_in_each(signed_in, clock):
    """A ticks two of three batch packages: those two are interested, the third open."""
    world = essex_batch(["CO4 3SQ", "CO4 3SQ", "CO4 3SQ"])
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    rows = [_request_of(world, world.provider_a, package) for package in world.packages]
    response = signed_in(world.user_a).post(
        "/portal/", {"requests": [rows[0].pk, rows[2].pk]}, follow=True
    )
    assert response.content.decode().count("your answer (interested) was received") == 2
    outcomes = [SourcingRequest.objects.get(pk=row.pk).outcome for row in rows]
    assert outcomes == ["interest", "open", "interest"]


def test_ticking_nothing_says_what_to_do(signed_in, clock):
    """Sending the batch form with nothing ticked asks to select a package."""
    world = essex_batch(["CO4 3SQ"])
    response = signed_in(world.user_a).post("/portal/", {})
    assert "Select at least one package you are interested in" in response.content.decode()


def test_another_providers_batch_request_cannot_be_ticked(signed_in, clock):
    """A posting B's request id gets a field error; B's request stays open."""
    world = essex_batch(["CO4 3SQ"])
    theirs = _request_of(world, world.provider_b)
    response = signed_in(world.user_a).post("/portal/", {"requests": [theirs.pk]})
    assert "Select packages from the list" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.outcome == "open"


def test_late_batch_interest_is_kept(signed_in, clock):
    """B says interested in time; A's interest at 10:30 Tuesday, after the 10:00 deadline,
    is kept for a further offer round while B's offer round runs (§4.2), and A is told."""
    world = essex_batch(["CO4 3SQ"])
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    signed_in(world.user_b).post(
        "/portal/", {"requests": [_request_of(world, world.provider_b).pk]}
    )
    clock.now = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    row = _request_of(world, world.provider_a)
    response = signed_in(world.user_a).post("/portal/", {"requests": [row.pk]}, follow=True)
    assert "kept for a further offer round" in response.content.decode()
    row.refresh_from_db()
    assert (row.outcome, row.late) == ("interest", True)


def test_an_offer_in_a_tender_needs_a_rate():
    """Tenders award on best price (§3): an offer without an hourly rate is refused."""
    form = AnswerForm({"action": "offer"}, actions=("offer",), kind="tender", now=NOW)
    assert not form.is_valid()
    assert form.errors["rate"] == ["Enter your hourly rate: this award compares prices"]


def test_history_shows_our_rate_and_never_another_providers(signed_in, clock):
    """A declines, B offers £31.37 and wins: B's history shows its rate and the award; A's
    shows "Placed with another provider" and not B's price or name."""
    world = kent_world()
    signed_in(world.user_a).post(
        f"/portal/requests/{_request_of(world, world.provider_a).pk}/",
        {"action": "decline", "reason": "area"},
    )
    signed_in(world.user_b).post(
        f"/portal/requests/{_request_of(world, world.provider_b).pk}/",
        {"action": "offer", "rate": "31.37", "coverage": "full"},
    )
    theirs = signed_in(world.user_b).get("/portal/history/").content.decode()
    assert "£31.37" in theirs
    assert "Awarded to you" in theirs
    ours = signed_in(world.user_a).get("/portal/history/").content.decode()
    assert "Placed with another provider" in ours
    assert "31.37" not in ours
    assert world.provider_b.name not in ours


def _document(world, provider, kind, filename):
    return PlacementDocument.objects.create(
        council=world.council,
        package=world.packages[0],
        provider=provider,
        kind=kind,
        filename=filename,
        content_type="application/pdf",
        content=b"%PDF-1.7 made-up",
        created_at=NOW,
    )


def test_documents_the_winner_gets_and_the_others_do_not(signed_in, clock):
    """A's ISP is A's alone; the IPA (the full record) is the winner B's: A gets 404."""
    world = kent_world()
    isp = _document(world, world.provider_a, "isp", "2026 11 23 ISP.pdf")
    world.packages[0].awarded_provider = world.provider_b
    world.packages[0].status = "awarded"  # the full record only while the award stands
    world.packages[0].awarded_at = NOW
    world.packages[0].save(update_fields=["awarded_provider", "status", "awarded_at"])
    ipa = _document(world, world.provider_b, "ipa", "2026 11 23 IPA.pdf")
    client_a = signed_in(world.user_a)
    assert isp.filename in client_a.get("/portal/documents/").content.decode()
    download = client_a.get(f"/portal/documents/{isp.pk}/")
    assert download.status_code == 200
    assert download.content == b"%PDF-1.7 made-up"
    assert "attachment" in download["Content-Disposition"]
    assert client_a.get(f"/portal/documents/{ipa.pk}/").status_code == 404
    client_b = signed_in(world.user_b)
    assert client_b.get(f"/portal/documents/{ipa.pk}/").status_code == 200
    assert client_b.get(f"/portal/documents/{isp.pk}/").status_code == 404


def test_asking_to_assess_in_the_batch_offer_round(signed_in, clock):
    """After the interest deadline A gets the ISP (offer round, docs/policies.md §4.2) and asks
    to assess the person first: recorded as its answer, the award waits for it."""
    world = essex_batch(["CO4 3SQ"])
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    signed_in(world.user_a).post(
        "/portal/", {"requests": [_request_of(world, world.provider_a).pk]}
    )
    advance_due(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    clock.now = datetime(2026, 11, 24, 10, 10, tzinfo=UTC)
    offer = _request_of(world, world.provider_a)
    assert offer.round == "offer"
    page = signed_in(world.user_a).get(f"/portal/requests/{offer.pk}/").content.decode()
    assert "Ask to assess the person first" in page
    signed_in(world.user_a).post(f"/portal/requests/{offer.pk}/", {"action": "assessment"})
    offer.refresh_from_db()
    world.packages[0].refresh_from_db()
    assert offer.outcome == "assessment"
    assert world.packages[0].awarded_provider is None


def _until(day: int, month: int, year: int, at: str) -> dict[str, str]:
    """The GOV.UK date input's three fields and the time, as the browser posts them."""
    return {
        "until_date_day": str(day),
        "until_date_month": str(month),
        "until_date_year": str(year),
        "until_time": at,
    }


def _assessing(world, signed_in, clock):
    """A asks for the ISP, then asks to assess: A assesses (the top answer, §4.2)."""
    clock.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    signed_in(world.user_a).post(
        "/portal/", {"requests": [_request_of(world, world.provider_a).pk]}
    )
    advance_due(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    clock.now = datetime(2026, 11, 24, 10, 10, tzinfo=UTC)
    offer = _request_of(world, world.provider_a)
    signed_in(world.user_a).post(f"/portal/requests/{offer.pk}/", {"action": "assessment"})
    advance_due(datetime(2026, 11, 24, 11, 10, tzinfo=UTC))  # the offer hour ends
    return offer


def test_the_assessing_provider_accepts_in_the_portal_with_its_start_and_wins(signed_in, clock):
    """Issue 11 finding 1: after its assessment (docs/policies.md §4.2) the assessing provider
    accepts in the portal with its earliest safe start date; the engine records
    assessment_done with accept true and awards it that start."""
    world = essex_batch(["CO4 3SQ"])
    offer = _assessing(world, signed_in, clock)
    clock.now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    page = signed_in(world.user_a).get(f"/portal/requests/{offer.pk}/").content.decode()
    assert "We have assessed the person and take the package" in page
    missing = signed_in(world.user_a).post(
        f"/portal/requests/{offer.pk}/", {"action": "assessment_accept"}
    )
    assert missing.status_code == 400
    assert "Enter the earliest date you can safely start" in missing.content.decode()
    world.packages[0].refresh_from_db()
    assert world.packages[0].awarded_provider is None
    signed_in(world.user_a).post(
        f"/portal/requests/{offer.pk}/",
        {
            "action": "assessment_accept",
            "start_day": "8",
            "start_month": "12",
            "start_year": "2026",
        },
    )
    world.packages[0].refresh_from_db()
    assert world.packages[0].awarded_provider == world.provider_a
    done = TimelineEvent.objects.get(package=world.packages[0], type="assessment_done")
    assert done.details["accept"] is True
    award = TimelineEvent.objects.get(package=world.packages[0], type="award")
    assert award.details.get("start") == "2026-12-08"


def test_only_the_assessing_provider_is_offered_the_assessment_result(signed_in, clock):
    """B never asked to assess: its request page offers no assessment result."""
    world = essex_batch(["CO4 3SQ"])
    _assessing(world, signed_in, clock)
    rows = SourcingRequest.objects.filter(package=world.packages[0], provider=world.provider_b)
    for row in rows:
        page = signed_in(world.user_b).get(f"/portal/requests/{row.pk}/").content.decode()
        assert "We have assessed the person" not in page
