"""Cascade: one provider at a time, by rank or protocol (docs/policies.md §3, §4.1, §4.3, §5.2–5).

Each request has the stage's window; a decline or expiry moves on to the next provider;
`first_accept` awards. Kent's extras: "still considering" until a stated time (before the
start date), the manager's `next_provider`, documents on request, the later-start gate,
sanctioned providers skipped unless approved, decline notices where the stage sends them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import (
    AnswerAction,
    EffectKind,
    EventType,
    NoticeKind,
    PackageStatus,
)
from carebroker.lib.london import LONDON

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress

MEANWHILE = "meanwhile"  # a manager chose to approach the next provider during "considering"


def start(progress: Progress, stage: Stage, now: datetime) -> None:
    run = progress.draft.put(StageRun(stage.name, phase="approaching"))
    approved = progress.approved(stage.sanction_gate) if stage.sanction_gate else frozenset()
    _, skipped = progress.market.select(stage, progress.package, approved, now=now)
    for provider, why in skipped:
        progress.draft.event(
            now, EventType.PROVIDER_SKIPPED, stage=stage.name, provider=provider.id, why=why
        )
    _approach_next(progress, stage, run, now)


def _candidates(progress: Progress, stage: Stage, now: datetime) -> list[str]:
    asked = {r.provider for r in progress.draft.requests if r.stage == stage.name}
    # A provider who already said no in an earlier cascade is not asked again (fixed here).
    refused = {
        r.provider
        for r in progress.draft.requests
        if r.outcome in ("decline", "expired") and progress.stage(r.stage).kind == "cascade"
    }
    passed = asked | refused  # one union, not one per provider
    return [p.id for p in progress.select(stage, now) if p.id not in passed]


def _approach_next(progress: Progress, stage: Stage, run: StageRun, now: datetime) -> None:
    draft = progress.draft
    if draft.status != PackageStatus.SOURCING:
        return  # at a gate (a later start date): the manager decides first
    remaining = _candidates(progress, stage, now)
    if not remaining:
        if not draft.indexes(stage=stage.name, open_only=True):
            progress.stage_ended(run, now, why="every provider approached")
        return
    assert stage.window is not None  # the policy reader requires it for a cascade
    draft.send(now, remaining[0], stage.name, "offer", progress.deadline(now, stage.window))
    _refresh(progress, stage.name)


def _refresh(progress: Progress, name: str) -> None:
    run = progress.draft.run(name)
    if run is None or run.status != "active":
        return
    deadlines = [
        progress.draft.requests[i].deadline for i in progress.draft.indexes(name, None, None, True)
    ]
    progress.draft.put(replace(run, due=min(deadlines) if deadlines else None))


def _waiting(progress: Progress, stage: Stage, run: StageRun) -> bool:
    """Whether the cascade must wait before approaching the next provider."""
    for i in progress.draft.indexes(stage=stage.name, open_only=True):
        request = progress.draft.requests[i]
        if request.outcome == "open" or run.phase != MEANWHILE:
            return True
    return False


def _said_no(progress: Progress, stage: Stage, provider: str, now: datetime) -> None:
    if stage.decline_notice:  # docs/policies.md §5.2 standard email; §5.3 none for other contracted
        progress.draft.event(
            now, EventType.NOTICE_SENT, notice=NoticeKind.DECLINE_ACKNOWLEDGEMENT, provider=provider
        )
        progress.draft.effect(
            EffectKind.SEND_NOTICE, provider, notice=NoticeKind.DECLINE_ACKNOWLEDGEMENT
        )


def on_due(progress: Progress, stage: Stage, run: StageRun, now: datetime) -> None:
    draft = progress.draft
    for i in draft.indexes(stage=stage.name, open_only=True):
        request = draft.requests[i]
        if request.deadline <= now:  # silence is a decline (docs/policies.md §5.2)
            # Stamped `now`, the clock's own time: the deadline itself unless the package was
            # held past it, when the silence counts at the release (docs/policies.md §7) and
            # the timeline stays in time order.
            draft.update(i, outcome="expired")
            draft.event(now, EventType.REQUEST_EXPIRED, provider=request.provider, stage=stage.name)
            _said_no(progress, stage, request.provider, now)
    current = draft.run(stage.name)
    if current is None or current.status != "active":
        return
    if not _waiting(progress, stage, current):
        _approach_next(progress, stage, current, now)
    _refresh(progress, stage.name)


def on_answer(progress: Progress, stage: Stage, run: StageRun, index: int, answer: Answer) -> None:
    draft = progress.draft
    request = draft.requests[index]
    now = answer.at
    if answer.action in (AnswerAction.ACCEPT, AnswerAction.OFFER):
        start = answer.start
        draft.record_offer(index, answer)
        part = {"part": answer.text} if answer.coverage == "part" and answer.text else {}
        draft.event(
            now, EventType.OFFER, provider=request.provider, stage=stage.name, start=start, **part
        )  # a part offer says which part (the days or sessions)
        if (
            stage.later_start_gate
            and start is not None
            and start > progress.package.preferred_start
        ):
            # docs/policies.md §5.2: a later start date goes to the area support manager
            progress.raise_gate(now, stage.later_start_gate, provider=request.provider, start=start)
            _refresh(progress, stage.name)
            return
        progress.award(now, request.provider, stage.name, rate=answer.rate, start=start)
    elif answer.action == AnswerAction.DECLINE:
        draft.record_decline(index, answer)
        draft.event(
            now,
            EventType.DECLINE,
            provider=request.provider,
            stage=stage.name,
            reason=answer.reason,
        )
        _said_no(progress, stage, request.provider, now)
        if not _waiting(progress, stage, run):
            _approach_next(progress, stage, run, now)
    elif (
        answer.action == AnswerAction.CONSIDERING and stage.considering and answer.until is not None
    ):
        _considering(progress, stage, index, answer)
    elif answer.action == AnswerAction.QUERY:
        # A question is a question in every council (the broker answers it on the package
        # page); where the stage sends documents on request (Kent, docs/policies.md §5.2)
        # it also starts that clock.
        draft.event(
            now, EventType.QUERY, provider=request.provider, stage=stage.name, text=answer.text
        )
        if stage.documents_within:
            due = progress.deadline(now, stage.documents_within)
            draft.event(
                now,
                EventType.DOCUMENTS_REQUESTED,
                provider=request.provider,
                text=answer.text,
                due=due,
            )
    else:
        progress.ignore(
            now, f"{answer.action} is not an answer to a cascade request", provider=answer.provider
        )
    _refresh(progress, stage.name)


def _considering(progress: Progress, stage: Stage, index: int, answer: Answer) -> None:
    draft = progress.draft
    request = draft.requests[index]
    until = answer.until
    assert until is not None
    start = progress.package.preferred_start
    if stage.considering_before_start and until.astimezone(LONDON).date() >= start:
        # docs/policies.md §5.2: refused; the request keeps its deadline
        draft.event(
            answer.at,
            EventType.CONSIDERING_REFUSED,
            provider=request.provider,
            until=until,
            why="not before the start date",
        )
        return
    # the stated time becomes the request's deadline; the cascade waits for it
    draft.update(index, outcome="considering", responded_at=answer.at, deadline=until)
    draft.event(answer.at, EventType.CONSIDERING, provider=request.provider, until=until)


def next_provider(progress: Progress, run: StageRun, now: datetime) -> bool:
    """The area support manager approaches the next provider while one considers (§5.2)."""
    stage = progress.stage(run.name)
    considering = [
        i
        for i in progress.draft.indexes(stage=stage.name, open_only=True)
        if progress.draft.requests[i].outcome == "considering"
    ]
    if not considering or run.phase == MEANWHILE:
        return False
    run = progress.draft.put(replace(run, phase=MEANWHILE))
    progress.draft.event(now, EventType.NEXT_PROVIDER, stage=stage.name)
    _approach_next(progress, stage, run, now)
    _refresh(progress, stage.name)
    return True


def later_start_refused(progress: Progress, run: StageRun, provider: str, now: datetime) -> None:
    """The manager did not accept a later start date: the cascade goes on (§5.2)."""
    stage = progress.stage(run.name)
    for i in progress.draft.indexes(stage=stage.name):
        if progress.draft.requests[i].provider == provider:
            progress.draft.update(i, not_awarded="later start not accepted")
    _approach_next(progress, stage, run, now)
    _refresh(progress, stage.name)
