"""The stage kinds of docs/policies.md §3, each a module with `start`, `on_due` and `on_answer`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.stages import batch, cascade, open_market, tender
from carebroker.engine.state import PackageState, StageRun
from carebroker.engine.vocabulary import RUNNING, EventType

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


def answer(progress: Progress, run: StageRun, index: int, answer: Answer) -> bool:
    """`on_answer` if a request of `run` in its round takes `answer` (`takes`); whether it did.
    The two, with the stage looked up once: the engine asks for every provider's answer."""
    stage = progress.policy.stage(run.name)
    kind = stage.kind
    if answer.action not in _ANSWERS.get((kind, progress.draft.requests[index].round), ()):
        return False
    _KINDS[kind].on_answer(progress, stage, run, index, answer)
    return True


def answers_taken(kind: str, round_: str) -> tuple[str, ...]:
    """The answers a request of a stage of `kind` in `round_` takes (for forms offering them)."""
    return _ANSWERS.get((kind, round_), ())


def takes(progress: Progress, run: StageRun, round_: str, action: str) -> bool:
    """Whether a request of `run` in `round_` can take the answer `action`."""
    return action in _ANSWERS.get((progress.stage(run.name).kind, round_), ())


ASSESSMENT_RESULTS = ("assessment_accept", "assessment_decline")
"""The two answers of a provider that has assessed the person (docs/policies.md §4.2), as
forms offer them; both are the engine's `assessment_done`, with `accept` true or false."""


def assessing(state: PackageState, provider: str) -> bool:
    """Whether `provider` is the one assessing the person for this running package (§4.2):
    only it may say whether it takes the package after its assessment."""
    return state.status in RUNNING and any(
        run.status == "active" and run.phase == "assessing" and run.assessor == provider
        for run in state.runs
    )
