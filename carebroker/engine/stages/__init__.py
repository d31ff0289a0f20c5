"""The stage kinds of docs/policies.md §3, each a module with `start`, `on_due` and `on_answer`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.stages import batch, cascade, open_market, tender
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import EventType

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress

# Which answers a request takes, by stage kind and round: a provider with two open requests
# (the urgent call and the batch report, §4.1) is matched by what it says.
_ANSWERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("batch", "interest"): ("interest", "decline"),
    ("batch", "offer"): ("offer", "decline", "assessment"),
    ("cascade", "offer"): ("accept", "offer", "decline", "considering", "query"),
    ("tender", "offer"): ("offer", "decline", "query"),
    ("open_market", "offer"): ("offer", "decline"),
}

_KINDS = {"batch": batch, "cascade": cascade, "tender": tender, "open_market": open_market}


def start_stage(progress: Progress, stage: Stage, now: datetime) -> None:
    progress.draft.event(now, EventType.STAGE_STARTED, stage=stage.name, kind=stage.kind)
    _KINDS[stage.kind].start(progress, stage, now)


def on_due(progress: Progress, run: StageRun, now: datetime) -> None:
    stage = progress.stage(run.name)
    _KINDS[stage.kind].on_due(progress, stage, run, now)


def on_answer(progress: Progress, run: StageRun, index: int, answer: Answer) -> None:
    stage = progress.stage(run.name)
    _KINDS[stage.kind].on_answer(progress, stage, run, index, answer)


def answers_taken(kind: str, round_: str) -> tuple[str, ...]:
    """The answers a request of a stage of `kind` in `round_` takes (for forms offering them)."""
    return _ANSWERS.get((kind, round_), ())


def takes(progress: Progress, run: StageRun, round_: str, action: str) -> bool:
    """Whether a request of `run` in `round_` can take the answer `action`."""
    return action in _ANSWERS.get((progress.stage(run.name).kind, round_), ())
