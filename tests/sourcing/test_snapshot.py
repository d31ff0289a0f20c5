"""Engine state snapshots: rebuilt exactly, whatever the engine's dataclasses hold."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebroker.engine.scenario import parse_scenario
from carebroker.engine.simulation import simulate
from carebroker.engine.state import Event, Request
from carebroker.lib.london import LONDON
from carebroker.sourcing import snapshot
from tests.sourcing.scenario_db import read_example


def _through_json(value):
    return snapshot.load(json.loads(json.dumps(snapshot.dump(value))))


@pytest.mark.parametrize("preset", ["essex-lah", "kent-oppd", "leics-short-breaks"])
def test_every_final_state_of_the_examples_is_rebuilt_equal(preset):
    """The state after a whole scenario (requests, runs, events, approvals, timers, the
    package and its person) comes back equal from plain JSON."""
    states = simulate(parse_scenario(read_example(preset))).states
    for state in states:
        assert _through_json(state) == state


def test_times_keep_their_zone_and_values_their_types():
    """A London deadline stays a London time (a deadline across a clock change keeps its
    wall clock); Decimals, dates, tuples and frozensets come back as themselves."""
    deadline = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)
    request = Request("P1", "batch", "offer", datetime(2026, 3, 27, 16, tzinfo=UTC), deadline,
                      rate=Decimal("24.10"), start=date(2026, 4, 6))  # fmt: skip
    back = _through_json((request, frozenset({("gate", "P1")})))
    assert back == (request, frozenset({("gate", "P1")}))
    assert back[0].deadline.tzinfo == LONDON and back[0].deadline.hour == 10
    assert isinstance(back[0].rate, Decimal) and str(back[0].rate) == "24.10"


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates()
    # allow_imaginary=False: a London wall time skipped by the clocks going forward never
    # happened, so no event holds one (it would come back as the hour after).
    | st.datetimes(timezones=st.sampled_from([UTC, LONDON]), allow_imaginary=False),
    lambda children: (
        st.lists(children, max_size=4).map(tuple)
        | st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(plain_values)
def test_any_event_details_round_trip(details):
    """Whatever plain values an event's details hold come back equal."""
    event = Event(datetime(2026, 11, 23, 9, tzinfo=UTC), "x", {"value": details})
    assert _through_json(event) == event


def test_a_snapshot_naming_a_class_outside_the_engine_is_refused():
    """The database is no place to import code from."""
    stored = {"version": 1, "value": {"$dataclass": "os:system", "fields": {}}}
    with pytest.raises(snapshot.SnapshotError, match="not an engine class"):
        snapshot.load(stored)


def test_a_snapshot_with_a_field_the_engine_dropped_is_refused_not_lost():
    """Reading an old snapshot whose field no longer exists fails loudly, naming it."""
    stored = snapshot.dump(Event(datetime(2026, 11, 23, tzinfo=UTC), "x"))
    stored["value"]["fields"]["gone"] = 1
    with pytest.raises(snapshot.SnapshotError, match="gone"):
        snapshot.load(stored)
