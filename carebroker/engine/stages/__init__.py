"""The stage kinds of policies.md §3, each a module with `start`, `on_due` and `on_answer`."""

from __future__ import annotations

from datetime import datetime

from carebroker.engine.policy import Stage
from carebroker.engine.progress import Progress
from carebroker.engine.signals import Answer
from carebroker.engine.stages import batch, cascade, open_market, tender
from carebroker.engine.state import StageRun

_KINDS = {"batch": batch, "cascade": cascade, "tender": tender, "open_market": open_market}


def start_stage(progress: Progress, stage: Stage, now: datetime) -> None:
    progress.draft.event(now, "stage_started", stage=stage.name, kind=stage.kind)
    _KINDS[stage.kind].start(progress, stage, now)


def on_due(progress: Progress, run: StageRun, now: datetime) -> None:
    stage = progress.stage(run.name)
    _KINDS[stage.kind].on_due(progress, stage, run, now)


def on_answer(progress: Progress, run: StageRun, index: int, answer: Answer) -> None:
    stage = progress.stage(run.name)
    _KINDS[stage.kind].on_answer(progress, stage, run, index, answer)
