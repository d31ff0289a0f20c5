"""`Draft` files its requests by provider, stage and (stage, round, cycle) so that an answer
and a round's expiry do not scan every request of the package (issue 14). Whatever the order
of sends and updates, the filed lookups must give what a plain scan of `requests` gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from carebroker.engine.engine import begin
from carebroker.engine.market import PackageSpec
from carebroker.engine.state import OPEN_OUTCOMES, Draft

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
PROVIDERS = ("P1", "P2", "P3")
STAGES = ("batch", "cascade")
ROUNDS = ("interest", "offer")
CYCLES = ("1", "2", "")
OUTCOMES = ("open", "considering", "interest", "offer", "decline", "expired", "withdrawn")

send = st.tuples(
    st.just("send"),
    st.sampled_from(PROVIDERS),
    st.sampled_from(STAGES),
    st.sampled_from(ROUNDS),
    st.sampled_from(CYCLES),
)
answer = st.tuples(st.just("outcome"), st.integers(0, 40), st.sampled_from(OUTCOMES))
move = st.tuples(st.just("stage"), st.integers(0, 40), st.sampled_from(STAGES))  # re-files


def _scan(
    draft: Draft, stage: str | None, round_: str | None, cycle: str | None, open_only: bool
) -> list[int]:
    return [
        i
        for i, r in enumerate(draft.requests)
        if (stage is None or r.stage == stage)
        and (round_ is None or r.round == round_)
        and (cycle is None or r.cycle == cycle)
        and (not open_only or r.outcome in OPEN_OUTCOMES)
    ]


@given(steps=st.lists(st.one_of(send, answer, move), max_size=40), ask_first=st.booleans())
def test_filed_request_lookups_equal_a_scan_of_every_request(
    steps: list[tuple[object, ...]], ask_first: bool
) -> None:
    package = PackageSpec("W1", "North", START, date(2027, 1, 20))
    draft = Draft(begin(package))
    if ask_first:  # filed before any send, so every send files its request as it goes
        assert list(draft.of_provider("P1")) == []
    for n, step in enumerate(steps):
        at = START + timedelta(minutes=n)
        if step[0] == "send":
            _, provider, stage, round_, cycle = (str(part) for part in step)
            draft.send(at, provider, stage, round_, at + timedelta(hours=1), cycle=cycle)
        elif draft.requests:
            kind, position, value = step
            assert isinstance(position, int)
            index = position % len(draft.requests)
            if kind == "outcome":
                draft.update(index, outcome=value)
            else:
                draft.update(index, stage=value)
    for provider in PROVIDERS:
        expected = [i for i, r in enumerate(draft.requests) if r.provider == provider]
        assert list(draft.of_provider(provider)) == expected
    stages: tuple[str | None, ...] = (None, *STAGES)
    rounds: tuple[str | None, ...] = (None, *ROUNDS)
    cycles: tuple[str | None, ...] = (None, *CYCLES)
    for by_stage in stages:
        for by_round in rounds:
            for by_cycle in cycles:
                for open_only in (False, True):
                    assert draft.indexes(by_stage, by_round, by_cycle, open_only) == _scan(
                        draft, by_stage, by_round, by_cycle, open_only
                    )
