"""Open market: the Available Packages list on set weekdays (docs/policies.md §4.4).

Each listing goes to every framework and spot provider; providers may propose a rate; the
council chooses (the `open_market_choice` gate, raised at the first proposal). Requests stay
open from one listing to the next; each listing moves their deadline on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import AnswerAction, EventType

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress


def next_listing(progress: Progress, stage: Stage, after: datetime, strictly: bool) -> datetime:
    """The next listed weekday at `issue_at` on a working day, at or after `after`."""
    assert stage.issue_at is not None  # the policy reader forbids a listing with no day
    calendar = progress.market.calendar
    return calendar.next_issue_at(after, stage.issue_at, stage.weekdays, strictly=strictly)


def start(progress: Progress, stage: Stage, now: datetime) -> None:
    progress.draft.put(
        StageRun(stage.name, phase="waiting", due=next_listing(progress, stage, now, False))
    )


def on_due(progress: Progress, stage: Stage, run: StageRun, now: datetime) -> None:
    draft = progress.draft
    at = run.due or now
    providers = [p.id for p in progress.select(stage, at)]
    following = next_listing(progress, stage, at, True)
    draft.event(at, EventType.OPEN_MARKET_LISTED, stage=stage.name, providers=providers)
    asked = {draft.requests[i].provider: i for i in draft.indexes(stage=stage.name)}
    for provider in providers:
        if provider not in asked:
            draft.send(at, provider, stage.name, "offer", following)
        elif draft.requests[asked[provider]].is_open:
            draft.update(asked[provider], deadline=following)
    draft.put(replace(run, phase="listed", due=following))


def on_answer(progress: Progress, stage: Stage, run: StageRun, index: int, answer: Answer) -> None:
    draft = progress.draft
    request = draft.requests[index]
    now = answer.at
    if answer.action == AnswerAction.OFFER:
        draft.record_offer(index, answer)
        draft.event(
            now, EventType.OFFER, provider=request.provider, rate=str(answer.rate or "") or None
        )
        if draft.gate is None and stage.choice_gate:  # the council chooses (§4.4)
            progress.raise_gate(now, stage.choice_gate, stage=stage.name)
    elif answer.action == AnswerAction.DECLINE:
        draft.record_decline(index, answer)
        draft.event(now, EventType.DECLINE, provider=request.provider, reason=answer.reason)
    else:
        progress.ignore(now, f"{answer.action} on the open market", provider=answer.provider)
