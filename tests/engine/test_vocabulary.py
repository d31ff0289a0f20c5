"""One vocabulary (engine/vocabulary.py): whatever the engine writes on a timeline or asks the
shell to do is a word of the vocabulary, so the shell needs no translation table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carebroker.engine.result import result
from carebroker.engine.scenario import parse_scenario
from carebroker.engine.simulation import simulate
from carebroker.engine.vocabulary import (
    LIVE,
    STORED_STATUSES,
    EffectKind,
    EventType,
    NoticeKind,
    PackageStatus,
)
from carebroker.engine.whatif import simulate_market
from carebroker.engine.whatif_reader import load_market

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_event_and_status_of_an_example_replay_is_a_vocabulary_word(path: Path) -> None:
    simulation = simulate(parse_scenario(json.loads(path.read_text(encoding="utf-8"))))
    for state in simulation.states:
        assert state.status in set(PackageStatus)
        for event in state.events:
            assert event.type in set(EventType), f"{path.name}: event {event.type!r}"
            if event.type == EventType.NOTICE_SENT:
                notice = event.details["notice"]
                assert notice in set(NoticeKind), f"{path.name}: notice {notice!r}"
    # and the output file says the same words
    for package in result(simulation)["packages"]:  # type: ignore[union-attr, index]
        assert package["status"] in set(STORED_STATUSES)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("whatif-*.toml")), ids=lambda p: p.stem)
def test_every_effect_of_a_what_if_run_is_a_vocabulary_word(path: Path) -> None:
    """Effects are kept by a what-if run; every kind, and every notice named, is in the
    vocabulary (the shell turns `notice` straight into an outbox NoticeKind)."""
    market = load_market(path)
    run = simulate_market(market, market.policies[0], seed=3, keep_effects=True)
    assert run.effects, "a what-if run over a generated market sends something"
    for _, _, effect in run.effects:
        assert effect.kind in set(EffectKind)
        if effect.kind == EffectKind.SEND_NOTICE:
            assert effect.details["notice"] in set(NoticeKind), effect.details


def test_a_gate_and_a_brokers_hold_are_two_statuses_both_live() -> None:
    assert PackageStatus.ON_HOLD != PackageStatus.HELD
    assert PackageStatus.ON_HOLD.label == "Waiting for a decision"
    assert PackageStatus.HELD.label == "Held"
    assert {PackageStatus.SOURCING, PackageStatus.ON_HOLD, PackageStatus.HELD} == LIVE
    assert PackageStatus.NEW not in STORED_STATUSES  # a package row exists once referred
