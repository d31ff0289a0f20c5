"""The engine's hot paths build `Request` and `Answer` records by filling their `__dict__`
directly (issue 14), with the dataclasses' defaults written out. These hold what they build
to what the dataclasses' own constructors build: equal, the same fields in the same order,
and an unknown field still refused when a request is updated."""

from __future__ import annotations

import math
import random
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebroker.engine.engine import begin
from carebroker.engine.inputs import Answer
from carebroker.engine.market import PackageSpec
from carebroker.engine.state import Draft, Request
from carebroker.engine.whatif import _answer_of, _lognormal
from tests.engine.test_draft_index import CYCLES, ROUNDS, STAGES, _scan, answer, move, send

AT = datetime(2027, 1, 4, 9, tzinfo=UTC)


def _draft() -> Draft:
    return Draft(begin(PackageSpec("PK1", "North", referred_at=AT, preferred_start=AT.date())))


@pytest.mark.parametrize("cycle", ["", "2"])
def test_a_sent_request_is_the_dataclass_built_by_its_constructor(cycle: str) -> None:
    draft = _draft()
    deadline = AT + timedelta(hours=4)
    draft.send(AT, "P1", "batch", "interest", deadline, cycle=cycle)
    sent = draft.requests[0]
    made = Request("P1", "batch", "interest", AT, deadline, cycle=cycle)
    assert sent == made
    assert list(vars(sent)) == [f.name for f in fields(Request)] == list(vars(made))
    assert list(vars(sent).values()) == list(vars(made).values())


def test_an_update_is_replace_and_refuses_a_field_that_is_not_one() -> None:
    draft = _draft()
    draft.send(AT, "P1", "batch", "offer", AT + timedelta(hours=1), cycle="1")
    before = draft.requests[0]
    after = draft.update(0, outcome="offer", rate=Decimal("21.50"))
    assert after == replace(before, outcome="offer", rate=Decimal("21.50"))
    assert list(vars(after)) == list(vars(before))
    with pytest.raises(TypeError, match="Request has no field colour, size"):
        draft.update(0, size=1, colour="red")
    assert draft.requests[0] is after


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"reason": "no capacity"},
        {"coverage": "part", "rate": Decimal("22.10")},
        {"coverage": "full", "rate": Decimal("19.00")},
    ],
)
def test_a_drawn_answer_is_the_dataclass_built_by_its_constructor(
    given: dict[str, object],
) -> None:
    drawn = _answer_of(AT, "P7", "offer", **given)
    made = Answer(AT, "P7", "offer", **given)  # type: ignore[arg-type]
    assert drawn == made
    assert list(vars(drawn).items()) == list(vars(made).items())


@pytest.mark.parametrize("seed", [1, 7, 20261123])
def test_the_written_out_lognormal_draw_is_the_standard_librarys(seed: int) -> None:
    mu, sigma = math.log(45), 0.8
    ours, theirs = random.Random(seed), random.Random(seed)
    draw = _lognormal(mu, sigma)
    assert [draw(ours) for _ in range(2_000)] == [
        theirs.lognormvariate(mu, sigma) for _ in range(2_000)
    ]
    assert ours.getstate() == theirs.getstate()


@given(steps=st.lists(st.one_of(send, answer, move), max_size=40))
def test_any_open_is_whether_the_filed_round_has_an_open_request(
    steps: list[tuple[object, ...]],
) -> None:
    draft = _draft()
    for n, step in enumerate(steps):
        at = AT + timedelta(minutes=n)
        if step[0] == "send":
            _, provider, stage, round_, cycle = (str(part) for part in step)
            draft.send(at, provider, stage, round_, at + timedelta(hours=1), cycle=cycle)
        elif draft.requests:
            kind, position, value = step
            assert isinstance(position, int)
            draft.update(position % len(draft.requests), **{str(kind): value})
    for stage in STAGES:
        for round_ in ROUNDS:
            for cycle in CYCLES:
                expected = bool(_scan(draft, stage, round_, cycle, open_only=True))
                assert draft.any_open(stage, round_, cycle) is expected
