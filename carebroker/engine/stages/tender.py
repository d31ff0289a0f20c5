"""Tender: all matching providers at once, one deadline, no award before (docs/policies.md §6.3–4).

At the deadline: outstanding and nothing positive -> chase once (+2 working days); nothing
outstanding and nothing positive -> the stage ends; only part offers -> the part_offer gate;
full offers -> best price, an exact tie -> the mini_competition gate; the others get D1–D4.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.awards import choose, not_awarded_reason
from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import AnswerAction, EffectKind, EventType, NoticeKind

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress


def start(progress: Progress, stage: Stage, now: datetime) -> None:
    draft = progress.draft
    run = draft.put(StageRun(stage.name, phase="open"))
    if stage.notify_referrer_on_start:  # §6.4: the worker is told first
        draft.event(now, EventType.REFERRER_TOLD, why=f"going to {stage.name}", stage=stage.name)
        draft.effect(EffectKind.SEND_NOTICE, "referrer", notice=NoticeKind.OFF_FRAMEWORK_NOTICE)
    _, skipped = progress.market.select(stage, progress.package, now=now)
    for skip, why in skipped:
        draft.event(now, EventType.PROVIDER_SKIPPED, stage=stage.name, provider=skip.id, why=why)
    providers = [p.id for p in progress.select(stage, now)]
    if not providers:
        progress.stage_ended(run, now, why="no provider matches")
        return
    urgent = progress.market.is_urgent(progress.package)
    window = stage.urgent_window if urgent and stage.urgent_window else stage.window
    assert window is not None
    deadline = progress.deadline(now, window)
    for provider in providers:
        draft.send(now, provider, stage.name, "offer", deadline)
    draft.put(replace(run, due=deadline))


def on_answer(progress: Progress, stage: Stage, run: StageRun, index: int, answer: Answer) -> None:
    draft = progress.draft
    request = draft.requests[index]
    now = answer.at
    if answer.action == AnswerAction.OFFER:
        draft.record_offer(index, answer)
        part = {"part": answer.text} if answer.coverage == "part" and answer.text else {}
        draft.event(
            now,
            EventType.OFFER,
            provider=request.provider,
            coverage=answer.coverage or "full",
            **part,
        )  # a part offer says which part (the days or sessions)
    elif answer.action == AnswerAction.DECLINE:
        draft.record_decline(index, answer)
        draft.event(now, EventType.DECLINE, provider=request.provider, reason=answer.reason)
    elif answer.action == AnswerAction.QUERY:
        draft.event(now, EventType.QUERY, provider=request.provider, text=answer.text)
        if stage.queries_shared:  # §6.3: the answer goes to every provider approached
            everyone = [draft.requests[i].provider for i in draft.indexes(stage=stage.name)]
            draft.event(now, EventType.QUERY_ANSWER_SHARED, providers=everyone, text=answer.text)
            for provider in everyone:
                draft.effect(
                    EffectKind.SEND_NOTICE,
                    provider,
                    notice=NoticeKind.QUERY_ANSWER,
                    text=answer.text,
                )
    else:
        progress.ignore(
            now, f"{answer.action} is not an answer to a tender", provider=answer.provider
        )
    # No award before the deadline, even if everyone has answered (§6.3).


def change_offer(progress: Progress, answer: Answer) -> bool:
    """A provider changes or withdraws its offer in a running tender before the deadline
    (docs/policies.md §6.3: nothing is awarded before it, so until then an offer may still
    move). True when an offer was found and changed; False when the provider has none open
    to change (the caller then treats the answer as usual, or refuses a withdrawal)."""
    draft = progress.draft
    mine = draft.of_provider(answer.provider)
    for n in range(len(mine) - 1, -1, -1):  # the latest first
        index = mine[n]
        request = draft.requests[index]
        if request.outcome != "offer":
            continue
        run = draft.run(request.stage)
        if run is None or run.status != "active" or progress.stage(run.name).kind != "tender":
            continue
        if answer.at > request.deadline:  # at the deadline is still in time (§5.2)
            return False
        if answer.action == AnswerAction.WITHDRAW:
            draft.update(index, outcome="decline", responded_at=answer.at, reason="offer withdrawn")
            draft.event(answer.at, EventType.OFFER_WITHDRAWN, provider=request.provider)
            return True
        part = {"part": answer.text} if answer.coverage == "part" and answer.text else {}
        draft.update(
            index,
            responded_at=answer.at,
            coverage=answer.coverage or "full",
            rate=answer.rate,
            start=answer.start,
        )
        draft.event(
            answer.at,
            EventType.OFFER_CHANGED,
            provider=request.provider,
            coverage=answer.coverage or "full",
            **part,
        )
        return True
    return False


def on_due(progress: Progress, stage: Stage, run: StageRun, now: datetime) -> None:
    draft = progress.draft
    at = run.due or now
    mine = draft.indexes(stage=stage.name)
    outstanding = [i for i in mine if draft.requests[i].is_open]
    positive = offers(progress, stage)
    if outstanding and not positive and run.chases < stage.chase_times and stage.chase_extend:
        extended = progress.deadline(at, stage.chase_extend)
        for i in outstanding:
            request = draft.update(i, deadline=extended, chased=draft.requests[i].chased + 1)
            draft.event(at, EventType.CHASED, provider=request.provider, deadline=extended)
            draft.effect(EffectKind.SEND_NOTICE, request.provider, notice=NoticeKind.CHASE)
        draft.put(replace(run, chases=run.chases + 1, due=extended))
        return
    for i in outstanding:
        request = draft.update(i, outcome="expired")
        draft.event(at, EventType.REQUEST_EXPIRED, provider=request.provider, stage=stage.name)
    draft.put(replace(run, due=None))
    full = [i for i in positive if draft.requests[i].coverage == "full"]
    if full:
        _award(progress, stage, run, full, at)
    elif positive:
        gate = stage.part_offer_gate or "part_offer"
        parts = [draft.requests[i].provider for i in positive]
        progress.raise_gate(at, gate, stage=stage.name, offers=parts)
    else:
        progress.stage_ended(run, at, why="no positive answer")


def _award(progress: Progress, stage: Stage, run: StageRun, full: list[int], at: datetime) -> None:
    """The stage's award rule over the full offers; an exact tie is a mini-competition (§6.3)."""
    draft = progress.draft
    winners = choose(
        stage.award, draft.requests, full, progress.rank, stage.weights, progress.quality
    )
    if len(winners) > 1:
        gate = stage.tie_gate or "mini_competition"
        tied = [draft.requests[i].provider for i in winners]
        progress.raise_gate(at, gate, stage=stage.name, tied=tied)
        return
    award_offer(progress, stage, winners[0], at)


def award_offer(progress: Progress, stage: Stage, index: int, at: datetime) -> None:
    """Award to the request at `index`; the other responders get their not-awarded codes."""
    draft = progress.draft
    winner = draft.requests[index]
    progress.award(at, winner.provider, stage.name, rate=winner.rate, start=winner.start)
    codes = stage.not_awarded_codes
    for i in draft.indexes(stage=stage.name):
        request = draft.requests[i]
        if i == index or request.outcome != "offer":
            continue
        reason = not_awarded_reason(winner, request)
        code: str | None = getattr(codes, reason) if codes else None
        draft.update(i, not_awarded=code or reason)
        draft.event(
            at,
            EventType.NOTICE_SENT,
            notice=NoticeKind.NOT_CHOSEN,
            provider=request.provider,
            code=code,
            reason=reason,
        )
        draft.effect(
            EffectKind.SEND_NOTICE, request.provider, notice=NoticeKind.NOT_CHOSEN, code=code
        )


def offers(progress: Progress, stage: Stage, coverage: str | None = None) -> list[int]:
    """The offers of `stage` still in play (not yet told they were not awarded)."""
    draft = progress.draft
    return [
        i
        for i in draft.indexes(stage=stage.name)
        if draft.requests[i].outcome == "offer"
        and draft.requests[i].not_awarded is None
        and (coverage is None or draft.requests[i].coverage == coverage)
    ]
