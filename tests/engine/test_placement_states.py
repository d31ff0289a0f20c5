"""The placement after the award (engine/placement.py, docs/policies.md §5): awarded,
confirmed, started, under review, ended (with a reason), handed back; each change an input."""

import copy

import pytest

from carebroker.engine.placement import Placement, placement_of
from carebroker.engine.scenario import ScenarioError, parse_scenario
from carebroker.engine.simulation import simulate
from tests.engine.replay import answer, decision, package, provider, scenario

AREA = "Ashford A"
MARKET = [provider("C1", kind="clustered", areas={AREA: 1})]
ACCEPT = answer("2026-11-23T11:00:00Z", "C1", "accept")
CONFIRM = answer("2026-11-24T11:00:00Z", "C1", "confirm", start="2026-12-07",
                 call_times="08:00 and 18:00")  # fmt: skip
START = decision("2026-12-07T08:00:00Z", "broker", "start")
REVIEW = decision("2027-01-04T10:00:00Z", "broker", "review")
END = decision("2027-01-05T10:00:00Z", "manager", "end", reason="moved to a care home")


def state(script):
    row = package(area=AREA, postcode="TN23 1AA", referred_at="2026-11-23T10:00:00Z")
    source = scenario("kent-oppd", MARKET, [row], list(script), until="2027-01-31T17:00:00Z")
    (found,) = simulate(parse_scenario(copy.deepcopy(source))).states
    return found


def types(found):
    return [event.type for event in found.events]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ([ACCEPT], Placement.AWARDED),
        ([ACCEPT, CONFIRM], Placement.CONFIRMED),
        ([ACCEPT, CONFIRM, START], Placement.STARTED),
        ([ACCEPT, CONFIRM, START, REVIEW], Placement.UNDER_REVIEW),
        ([ACCEPT, CONFIRM, START, REVIEW, END], Placement.ENDED),
    ],
)
def test_each_placement_change_is_an_input_that_moves_the_placement_on(script, expected):
    found = state(script)
    assert found.status == "awarded"
    assert placement_of(found.events) == expected


def test_a_placement_starts_only_once_its_start_date_is_agreed():
    """No confirmation yet: the start is refused with the reason, and nothing changes."""
    found = state([ACCEPT, START])
    assert placement_of(found.events) == Placement.AWARDED
    refused = [e for e in found.events if e.type == "ignored"]
    assert refused[-1].details["ignored"] == (
        "the start date is not agreed yet (no confirmation from the provider)"
    )


def test_an_ended_placement_keeps_its_reason_and_takes_no_more_answers():
    late = answer("2027-01-06T10:00:00Z", "C1", "handback", reason="staffing")
    found = state([ACCEPT, CONFIRM, START, END, late])
    ended = [e for e in found.events if e.type == "placement_ended"]
    assert ended[0].details["reason"] == "moved to a care home"
    assert ended[0].details["actor"] == "manager"
    assert placement_of(found.events) == Placement.ENDED
    assert found.events[-1].details["ignored"] == "the placement has ended"


def test_a_handback_leaves_the_placement_handed_back_and_the_package_sourcing_again():
    handback = answer("2026-12-10T10:00:00Z", "C1", "handback", reason="staffing")
    found = state([ACCEPT, CONFIRM, START, handback])
    assert placement_of(found.events) == Placement.HANDED_BACK
    assert "returned_to_list" in types(found)


def test_an_end_without_a_reason_is_named_in_the_scenario_errors():
    row = package(area=AREA, postcode="TN23 1AA", referred_at="2026-11-23T10:00:00Z")
    bad = decision("2027-01-05T10:00:00Z", "manager", "end")
    referrer = decision("2027-01-05T10:00:00Z", "referrer", "start")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario("kent-oppd", MARKET, [row], [ACCEPT, bad, referrer]))
    assert "events[1].reason: missing (an end says why the placement ended)" in caught.value.errors
    assert "events[2].actor: a start is by a manager or a broker" in caught.value.errors
