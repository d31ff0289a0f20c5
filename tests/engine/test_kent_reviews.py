"""Kent: the placement's review (PIR) and its outcome (docs/policies.md §5 Reviews)."""

from datetime import date

from carebroker.engine.reviews import ReviewDate, review_date
from carebroker.engine.scenario import parse_scenario
from carebroker.engine.simulation import simulate
from tests.engine.replay import (
    answer,
    decision,
    events,
    only,
    package,
    provider,
    replay,
    scenario,
)

AREA = "Ashford A"
MARKET = [
    provider("C1", kind="clustered", areas={AREA: 1}),
    provider("O1", kind="other_contracted", areas={AREA: 1}),
]
PLACED = [
    answer("2026-11-23T11:00:00Z", "C1", "accept"),
    answer("2026-11-24T10:00:00Z", "C1", "confirm", start="2026-12-07", call_times="08:00"),
]


def _scenario(script, until="2027-01-29T17:00:00Z", **fields):
    row = package(area=AREA, postcode="TN23 1AA", referred_at="2026-11-23T10:00:00Z",
                  preferred_start="2026-12-07", **fields)  # fmt: skip
    return scenario("kent-oppd", MARKET, [row], [*PLACED, *script], until=until)


def run(script=(), until="2027-01-29T17:00:00Z", **fields):
    return only(replay(_scenario(list(script), until=until, **fields)))


def review(at, outcome, **fields):
    return decision(at, "broker", "review_outcome", outcome=outcome, **fields)


def test_review_date_is_four_weeks_from_the_start_for_a_person_known_to_the_team():
    """Start Monday 7 December 2026: review due by Monday 4 January 2027."""
    sim = simulate(parse_scenario(_scenario([], known_to_team=True,
                                            documents=None)))  # fmt: skip
    assert review_date(sim.states[0].events) == ReviewDate(date(2027, 1, 4))


def test_review_date_for_a_new_person_is_between_two_and_eight_weeks_from_the_start():
    sim = simulate(parse_scenario(_scenario([])))
    assert review_date(sim.states[0].events) == ReviewDate(
        due=date(2027, 2, 1), earliest=date(2026, 12, 21)
    )


def test_a_review_that_continues_the_placement_keeps_it_and_tells_the_referrer():
    pkg = run([review("2027-01-04T10:00:00Z", "continue")])
    assert pkg["status"] == "awarded" and pkg["provider"] == "C1"
    reviewed = events(pkg, "reviewed")[0]
    assert (reviewed["outcome"], reviewed["actor"]) == ("continue", "broker")


def test_a_review_that_ends_the_placement_ends_it_on_the_timeline():
    """engine/placement.py: the package stays awarded, its placement ended, with the reason."""
    pkg = run([review("2027-01-04T10:00:00Z", "end", reason="moved to residential care")])
    assert pkg["status"] == "awarded"
    ended = events(pkg, "placement_ended")[0]
    assert (ended["reason"], ended["actor"]) == ("moved to residential care", "broker")


def test_a_change_of_hours_is_sourced_again_as_a_change_naming_the_current_provider():
    """Issue 11 item 2: the package becomes a change to an existing service whose current
    provider is the provider today, at its new hours, and is sourced again by the policy's
    stages (a current-provider stage, Essex §4.2, asks that provider alone first; Kent has
    none, and its cascade goes on to the providers not yet asked)."""
    sim = simulate(parse_scenario(_scenario(
        [review("2027-01-04T10:00:00Z", "change_hours", hours_per_week=21)],
        until="2027-01-04T10:30:00Z",
    )))  # fmt: skip
    state = sim.states[0]
    spec = state.package
    assert (spec.change_to_existing, spec.current_provider, spec.hours_per_week) == (
        True, "C1", 21
    )  # fmt: skip
    assert state.status == "sourcing"
    assert [e.details["hours_per_week"] for e in state.events if e.type == "reviewed"] == ["21"]
    assert state.requests[-1].provider == "O1"


def test_a_re_source_returns_the_package_to_the_list():
    pkg = run([review("2027-01-04T10:00:00Z", "re_source")], until="2027-01-04T10:30:00Z")
    assert pkg["status"] == "sourcing"
    assert events(pkg, "returned_to_list")[0]["at"] == "2027-01-04T10:00:00Z"


def test_only_a_placement_is_reviewed():
    pkg = run([review("2026-11-23T10:30:00Z", "continue")])
    assert events(pkg, "ignored")[0]["ignored"] == (
        "only a confirmed or started placement is reviewed: the package is being sourced"
    )
    assert events(pkg, "reviewed") == []
