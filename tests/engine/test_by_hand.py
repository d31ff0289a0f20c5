"""What brokers and managers do by hand, replayed by `simulate`: award with a reason (and an
override reason before a tender's deadline, docs/policies.md §6.3), hold and release, cancel
with a reason, next provider (engine/by_hand.py, engine/gates.py)."""

import pytest

from carebroker.engine.scenario import ScenarioError, parse_scenario
from tests.engine.replay import answer, decision, events, only, replay, requests, scenario
from tests.engine.test_kent_referral_and_cascade import CLUSTER, kent_package
from tests.engine.test_leics_tender import MARKET as LEICS_MARKET
from tests.engine.test_leics_tender import run as leics_run


def kent(script, until="2026-12-31T17:00:00Z", **fields):
    return only(
        replay(scenario("kent-oppd", CLUSTER, [kent_package(**fields)], list(script), until=until))
    )


# Kent: referred Monday 23 Nov 10:00; C1 asked at once, 2 working hours (due 12:00).


def test_award_by_hand_overrides_the_cascade_with_its_reason_on_the_timeline():
    """A manager awards C3 while C1 is asked: C1's request withdrawn, the reason recorded."""
    pkg = kent([decision("2026-11-23T11:00:00Z", "manager", "award", provider="C3",
                         reason="carers known to the family")])  # fmt: skip
    assert (pkg["status"], pkg["provider"], pkg["awarded_at"]) == (
        "awarded", "C3", "2026-11-23T11:00:00Z",
    )  # fmt: skip
    (by_hand,) = events(pkg, "awarded_by_hand")
    assert (by_hand["provider"], by_hand["actor"], by_hand["reason"]) == (
        "C3", "manager", "carers known to the family",
    )  # fmt: skip
    assert events(pkg, "award")[0]["provider"] == "C3"
    assert requests(pkg, provider="C1")[0]["outcome"] == "withdrawn"
    assert events(pkg, "award_override") == []


def test_award_by_hand_after_the_award_is_ignored():
    """The package was awarded by its rule first: a later award by hand changes nothing."""
    pkg = kent([
        answer("2026-11-23T10:30:00Z", "C1", "accept"),
        decision("2026-11-23T11:00:00Z", "broker", "award", provider="C2", reason="preferred"),
    ])  # fmt: skip
    assert pkg["provider"] == "C1"
    assert events(pkg, "ignored")[-1]["ignored"] == "the package is already awarded"


def test_hold_stops_the_clocks_and_release_runs_out_what_expired_meanwhile():
    """Held at 11:00, C1's 12:00 deadline waits; released at 14:00, C1 expires at once and C2
    is asked at 14:00 (the policies name no pause)."""
    script = [
        decision("2026-11-23T11:00:00Z", "broker", "hold", reason="the person is in hospital"),
        decision("2026-11-23T14:00:00Z", "broker", "release"),
    ]
    held = kent(script[:1], until="2026-11-23T13:00:00Z")
    assert held["status"] == "held"
    assert requests(held, provider="C1")[0]["outcome"] == "open"
    assert events(held, "held")[0]["reason"] == "the person is in hospital"
    pkg = kent(script, until="2026-11-23T15:00:00Z")
    assert pkg["status"] == "sourcing"
    assert requests(pkg, provider="C1")[0]["outcome"] == "expired"
    assert requests(pkg, provider="C2")[0]["sent_at"] == "2026-11-23T14:00:00Z"
    assert [e["type"] for e in pkg["events"]].count("released") == 1


def test_a_silence_that_ran_out_while_held_counts_at_the_release_in_time_order():
    """C1's 12:00 deadline passed while held: its expiry is on the timeline at the 14:00
    release, after the release, never back-dated before it (found by the replay property)."""
    pkg = kent([
        decision("2026-11-23T11:00:00Z", "broker", "hold", reason="the person is in hospital"),
        decision("2026-11-23T14:00:00Z", "broker", "release"),
    ], until="2026-11-23T15:00:00Z")  # fmt: skip
    (expired,) = [e for e in events(pkg, "request_expired") if e["provider"] == "C1"]
    assert expired["at"] == "2026-11-23T14:00:00Z"
    times = [e["at"] for e in pkg["events"]]
    assert times == sorted(times)


def test_an_answer_to_a_held_package_is_refused():
    """C1 accepts while the package is held: ignored, nothing awarded."""
    pkg = kent([
        decision("2026-11-23T10:30:00Z", "broker", "hold", reason="waiting for the family"),
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
    ], until="2026-11-23T13:00:00Z")  # fmt: skip
    assert (pkg["status"], pkg["provider"]) == ("held", None)
    assert events(pkg, "ignored")[-1]["ignored"] == "the package is held"


def test_gate_decisions_wait_for_the_release_but_a_cancel_does_not():
    """Held: next_provider is ignored; a cancel with its reason ends the package."""
    pkg = kent([
        decision("2026-11-23T10:30:00Z", "broker", "hold", reason="family on holiday"),
        decision("2026-11-23T10:40:00Z", "manager", "next_provider"),
        decision("2026-11-23T10:50:00Z", "manager", "cancel", reason="the person moved away"),
    ])  # fmt: skip
    assert pkg["status"] == "cancelled"
    assert events(pkg, "ignored")[0]["ignored"] == "the package is held: release it first"
    (cancelled,) = events(pkg, "cancelled")
    assert (cancelled["actor"], cancelled["reason"]) == ("manager", "the person moved away")
    assert requests(pkg, provider="C1")[0]["outcome"] == "withdrawn"


def test_hold_twice_and_release_when_not_held_are_ignored():
    pkg = kent([
        decision("2026-11-23T10:30:00Z", "broker", "release"),
        decision("2026-11-23T10:40:00Z", "broker", "hold", reason="one"),
        decision("2026-11-23T10:50:00Z", "broker", "hold", reason="two"),
    ], until="2026-11-23T11:00:00Z")  # fmt: skip
    assert [e["ignored"] for e in events(pkg, "ignored")] == [
        "the package is not held", "the package is already held",
    ]  # fmt: skip
    assert events(pkg, "held")[0]["reason"] == "one"


def test_a_gate_held_and_released_is_waiting_for_its_decision_again():
    """Kent's later start gate, held and released: on_hold at later_start again."""
    pkg = kent([
        answer("2026-11-23T10:30:00Z", "C1", "accept", start="2026-12-14"),
        decision("2026-11-23T11:00:00Z", "broker", "hold", reason="asking the family"),
        decision("2026-11-23T12:00:00Z", "broker", "release"),
    ], until="2026-11-23T13:00:00Z")  # fmt: skip
    assert (pkg["status"], pkg["gate"]) == ("on_hold", "later_start")


def test_next_provider_moves_the_cascade_on_only_while_one_considers():
    """§5.2: next provider while C1 considers asks C2 at once; while C1 is merely asked it is
    ignored with the reason (the cascade waits for C1's deadline)."""
    asked = kent([decision("2026-11-23T10:30:00Z", "broker", "next_provider")],
                 until="2026-11-23T11:00:00Z")  # fmt: skip
    assert events(asked, "ignored")[0]["ignored"] == "no provider is considering"
    assert requests(asked, provider="C2") == []
    pkg = kent([
        answer("2026-11-23T10:20:00Z", "C1", "considering", until="2026-11-25T12:00:00Z"),
        decision("2026-11-23T10:30:00Z", "broker", "next_provider"),
    ], until="2026-11-23T11:00:00Z")  # fmt: skip
    assert requests(pkg, provider="C2")[0]["sent_at"] == "2026-11-23T10:30:00Z"


# Leicestershire: tender sent Monday 23 Nov 10:00, deadline Monday 30 Nov 10:00 (§6.3).
OFFERS = [
    answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="21.00"),
    answer("2026-11-24T10:00:00Z", "F2", "offer", coverage="full", rate="19.50"),
]


def test_award_by_hand_before_the_tender_deadline_is_refused_without_an_override_reason():
    """§6.3 no award before the deadline: the award by hand is ignored; the rule awards F2
    at the deadline."""
    script = [*OFFERS, decision("2026-11-25T10:00:00Z", "broker", "award", provider="F1",
                                reason="the family knows F1")]  # fmt: skip
    pkg = leics_run(script)
    (refused,) = events(pkg, "ignored")
    assert refused["ignored"] == (
        "no award before the tender's deadline without an override reason"
    )
    assert (pkg["provider"], pkg["awarded_at"]) == ("F2", "2026-11-30T10:00:00Z")


def test_award_by_hand_before_the_tender_deadline_with_an_override_reason_is_an_override():
    """With an override reason: awarded at once, recorded as `award_override` with the
    deadline it overrode."""
    script = [*OFFERS, decision("2026-11-25T10:00:00Z", "manager", "award", provider="F1",
                                reason="the family knows F1",
                                override_reason="the person leaves hospital tomorrow")]  # fmt: skip
    pkg = leics_run(script)
    assert (pkg["provider"], pkg["awarded_at"]) == ("F1", "2026-11-25T10:00:00Z")
    (override,) = events(pkg, "award_override")
    assert override["deadline"] == "2026-11-30T10:00:00Z"
    assert override["override_reason"] == "the person leaves hospital tomorrow"
    assert events(pkg, "awarded_by_hand") == []
    assert events(pkg, "award")[0]["rate"] == "21.00"  # F1's own offer


def test_award_by_hand_after_the_tender_deadline_needs_no_override():
    """At the part-offer gate after the deadline, an award by hand is a plain one."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="part", rate="18.00"),
        decision("2026-12-01T10:00:00Z", "broker", "award", provider="F1", reason="part will do"),
    ]
    pkg = leics_run(script)
    assert pkg["provider"] == "F1"
    assert events(pkg, "awarded_by_hand")[0]["reason"] == "part will do"


BAD = [
    ({"actor": "broker", "action": "award", "provider": "F1"}, "events[0].reason: missing"),
    ({"actor": "broker", "action": "award", "reason": "x"}, "events[0].provider: missing"),
    ({"actor": "referrer", "action": "hold", "reason": "x"}, "events[0].actor: a hold is by"),
    ({"actor": "broker", "action": "hold"}, "events[0].reason: missing"),
    ({"actor": "broker", "action": "release", "reason": "x"}, "events[0].reason: release takes"),
    ({"actor": "broker", "action": "hold", "reason": "x", "override_reason": "y"},
     "events[0].override_reason: only an award by hand"),
    ({"actor": "broker", "action": "next_provider", "reason": "x"},
     "events[0].reason: next_provider takes no reason"),
    ({"actor": "broker", "action": "award", "provider": "F1", "reason": ""},
     "events[0].reason: must not be empty"),
]  # fmt: skip


@pytest.mark.parametrize(("event", "error"), BAD)
def test_bad_by_hand_events_are_named_by_field_path(event, error):
    row = {"at": "2026-11-24T10:00:00Z", "package": "M1", **event}
    source = scenario(
        "leics-short-breaks",
        LEICS_MARKET,
        [{"id": "M1", "area": "Charnwood", "referred_at": "2026-11-23T10:00:00Z",
          "preferred_start": "2027-01-11"}],
        [row],
    )  # fmt: skip
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(source)
    assert any(line.startswith(error) for line in raised.value.errors), raised.value.errors
