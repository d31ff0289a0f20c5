"""Batch: the daily report, the interest round, the ISP round, the award (docs/policies.md §4.2).

Phases of a run: `waiting` (for the next issue time), `interest` (until the interest
deadline), `offer` (ISPs out, 1 working hour), `assessing` (the highest-ranked responder
assesses). A round that ends without an award gives the late-interested providers one
further ISP round; then the next round (up to `rounds`) or the end of the stage.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from carebroker.engine.awards import by_rank
from carebroker.engine.inputs import Answer
from carebroker.engine.policy import AssessmentRule, Stage
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import AnswerAction, EffectKind, EventType, NoticeKind
from carebroker.lib.london import LONDON

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress


def next_issue(progress: Progress, stage: Stage, after: datetime) -> datetime:
    """The first batch time at or after `after`: `issue_at` on a working day (§4.2)."""
    assert stage.issue_at is not None
    return progress.market.calendar.next_issue_at(after, stage.issue_at)


def start(progress: Progress, stage: Stage, now: datetime) -> None:
    progress.draft.put(StageRun(stage.name, phase="waiting", due=next_issue(progress, stage, now)))


def _key(run: StageRun) -> str:
    return f"{run.cycle}-late" if run.late_done else str(run.cycle)


def on_due(progress: Progress, stage: Stage, run: StageRun, now: datetime) -> None:
    at = run.due or now
    if run.phase == "waiting":
        _issue(progress, stage, run, at)
    elif run.phase == "interest":
        _close_interest(progress, stage, run, at)
    elif run.phase == "offer":
        _expire(progress, stage, run, "offer", at)
        _decide(progress, stage, run, at)
    elif run.phase == "assessing":
        progress.draft.event(at, EventType.ASSESSMENT_EXPIRED, provider=run.assessor)
        _next_offerer(progress, stage, run, at)


def _issue(progress: Progress, stage: Stage, run: StageRun, at: datetime) -> None:
    providers = [p.id for p in progress.select(stage, at)]
    run = replace(run, cycle=run.cycle + 1, late_done=False)
    if not providers:  # no providers in the quadrant: no report (§4.2)
        progress.draft.event(at, EventType.BATCH_NOT_ISSUED, stage=stage.name, why="no providers")
        progress.draft.put(replace(run, phase="offer", due=None))
        _round_end(progress, stage, progress.draft.run(stage.name) or run, at)
        return
    assert stage.interest_deadline is not None
    deadline = progress.deadline(at, stage.interest_deadline)
    package = progress.package
    flags = [name for name in progress.policy.report_flags if getattr(package, name, False)]
    progress.draft.event(
        at,
        EventType.BATCH_ISSUED,
        stage=stage.name,
        providers=providers,
        urgent=progress.market.is_urgent(package),
        flags=flags,
    )
    send, name, cycle = progress.draft.send, stage.name, str(run.cycle)  # once per report
    for provider in providers:
        send(at, provider, name, "interest", deadline, cycle=cycle)
    progress.draft.put(replace(run, phase="interest", due=deadline))


def _expire(progress: Progress, stage: Stage, run: StageRun, round_: str, at: datetime) -> None:
    draft = progress.draft
    for i in draft.indexes(stage=stage.name, round_=round_, cycle=_key(run), open_only=True):
        request = draft.update(i, outcome="expired")
        draft.event(
            at, EventType.REQUEST_EXPIRED, provider=request.provider, stage=stage.name, round=round_
        )


def _close_interest(progress: Progress, stage: Stage, run: StageRun, at: datetime) -> None:
    _expire(progress, stage, run, "interest", at)
    interested = [
        progress.draft.requests[i].provider
        for i in progress.draft.indexes(stage=stage.name, round_="interest", cycle=str(run.cycle))
        if progress.draft.requests[i].outcome == "interest"
    ]
    if not interested:  # a nil response means no interest (§4.2)
        progress.draft.put(replace(run, phase="offer", due=None))
        _round_end(progress, stage, progress.draft.run(stage.name) or run, at)
        return
    _send_isps(progress, stage, run, interested, at, str(run.cycle))


def _send_isps(
    progress: Progress, stage: Stage, run: StageRun, providers: list[str], at: datetime, key: str
) -> None:
    assert stage.offer_window is not None
    deadline = progress.deadline(at, stage.offer_window)
    draft, name = progress.draft, stage.name
    for provider in providers:
        draft.send(at, provider, name, "offer", deadline, cycle=key)
        draft.event(at, EventType.ISP_SENT, provider=provider, password_protected=True)
    progress.draft.put(replace(run, phase="offer", due=deadline))


def on_answer(progress: Progress, stage: Stage, run: StageRun, index: int, answer: Answer) -> None:
    draft = progress.draft
    request = draft.requests[index]
    now = answer.at
    if request.round == "interest":
        if answer.action == AnswerAction.INTEREST:
            draft.update(index, outcome="interest", responded_at=now)
        elif answer.action == AnswerAction.DECLINE:
            draft.record_decline(index, answer)
        else:
            progress.ignore(now, f"{answer.action} in an interest round", provider=answer.provider)
            return
        draft.event(
            now, answer.action, provider=answer.provider, stage=stage.name, round="interest"
        )
        return
    if answer.action == AnswerAction.OFFER:
        draft.record_offer(index, answer)
    elif answer.action == AnswerAction.DECLINE:
        draft.record_decline(index, answer)
    elif answer.action == AnswerAction.ASSESSMENT:
        draft.update(index, outcome="assessment", responded_at=now)
    else:
        progress.ignore(now, f"{answer.action} in an offer round", provider=answer.provider)
        return
    draft.event(now, answer.action, provider=answer.provider, stage=stage.name, round="offer")
    if not draft.any_open(stage.name, "offer", _key(run)):
        _decide(progress, stage, run, now)  # every ISP answered: award now, not at the deadline


def _ranked(
    progress: Progress, stage: Stage, run: StageRun, outcomes: tuple[str, ...]
) -> list[int]:
    found = [
        i
        for i in progress.draft.indexes(stage=stage.name, round_="offer", cycle=_key(run))
        if progress.draft.requests[i].outcome in outcomes
        and progress.draft.requests[i].not_awarded is None
    ]
    return by_rank(progress.draft.requests, found, progress.rank)  # highest_rank (§4.2)


def _decide(progress: Progress, stage: Stage, run: StageRun, at: datetime) -> None:
    """highest_rank among offers; the highest-ranked responder alone may assess (§4.2)."""
    responders = _ranked(progress, stage, run, ("offer", "assessment"))
    if not responders:
        _round_end(progress, stage, run, at)
        return
    top = progress.draft.requests[responders[0]]
    rule = stage.assessment
    for i in responders[1:]:
        other = progress.draft.requests[i]
        if other.outcome == "assessment" and (rule is None or rule.only_highest_ranked):
            progress.draft.update(i, not_awarded="assessment refused")
            progress.draft.event(at, EventType.ASSESSMENT_REFUSED, provider=other.provider)
    if top.outcome == "assessment" and rule is not None:
        due = _assessment_due(progress, rule, top.sent_at)
        progress.draft.event(at, EventType.ASSESSMENT_AGREED, provider=top.provider, due=due)
        progress.draft.put(replace(run, phase="assessing", assessor=top.provider, due=due))
        return
    if top.outcome == "assessment":
        _next_offerer(progress, stage, run, at)
        return
    _award(progress, stage, run, responders[0], at)


def _assessment_due(progress: Progress, rule: AssessmentRule, isp_sent: datetime) -> datetime:
    calendar = progress.market.calendar
    if progress.package.hospital_discharge:
        if isp_sent.astimezone(LONDON).time() > rule.hospital_discharge_late_after:
            return calendar.next_calendar_day_at(isp_sent, rule.hospital_discharge_late_by)
        return calendar.deadline(isp_sent, rule.hospital_discharge_window)
    return calendar.deadline(isp_sent, rule.window)


def assessment_done(progress: Progress, run: StageRun, answer: Answer) -> None:
    """The assessing provider reports back: it takes the package (award) or not (next)."""
    stage = progress.stage(run.name)
    draft = progress.draft
    if answer.accept:
        for i in _ranked(progress, stage, run, ("assessment",)):
            if draft.requests[i].provider == answer.provider:
                draft.update(i, outcome="offer", start=answer.start, coverage="full")
                draft.event(
                    answer.at, EventType.ASSESSMENT_DONE, provider=answer.provider, accept=True
                )
                _award(progress, stage, run, i, answer.at)
                return
    draft.event(answer.at, EventType.ASSESSMENT_DONE, provider=answer.provider, accept=False)
    _next_offerer(progress, stage, run, answer.at)


def _next_offerer(progress: Progress, stage: Stage, run: StageRun, at: datetime) -> None:
    """The assessor did not take it: the next-ranked provider that offered, if any (§4.2)."""
    for i in _ranked(progress, stage, run, ("assessment",)):
        progress.draft.update(i, not_awarded="did not accept after assessment")
    offers = _ranked(progress, stage, run, ("offer",))
    if offers:
        _award(progress, stage, run, offers[0], at)
    else:
        _round_end(progress, stage, progress.draft.run(stage.name) or run, at)


def _award(progress: Progress, stage: Stage, run: StageRun, index: int, at: datetime) -> None:
    winner = progress.draft.requests[index]
    others = [i for i in _ranked(progress, stage, run, ("offer",)) if i != index]
    progress.award(at, winner.provider, stage.name, rate=winner.rate, start=winner.start)
    for i in others:  # lower-ranked offerers are told they were not chosen (§4.2)
        request = progress.draft.update(i, not_awarded="not_chosen")
        if stage.not_chosen_notice:
            progress.draft.event(
                at, EventType.NOTICE_SENT, notice=NoticeKind.NOT_CHOSEN, provider=request.provider
            )
            progress.draft.effect(
                EffectKind.SEND_NOTICE, request.provider, notice=NoticeKind.NOT_CHOSEN
            )


def _round_end(progress: Progress, stage: Stage, run: StageRun, at: datetime) -> None:
    draft = progress.draft
    if stage.late_interest and not run.late_done:
        late = [
            draft.requests[i].provider
            for i in draft.indexes(stage=stage.name, round_="interest", cycle=str(run.cycle))
            if draft.requests[i].late
        ]
        if late:  # late interest is kept for one further offer round (§4.2)
            run = draft.put(replace(run, late_done=True))
            draft.event(at, EventType.LATE_OFFER_ROUND, providers=late)
            _send_isps(progress, stage, run, late, at, _key(run))
            return
    if run.cycle < stage.rounds:  # a council may allow more rounds, one per working day
        after = next_issue(progress, stage, at)
        draft.put(replace(run, phase="waiting", due=after, late_done=False))
        draft.event(at, EventType.ROUND_ENDED, stage=stage.name, next_batch=after)
        return
    progress.stage_ended(run, at, why="round ended without an award")


def late_interest(progress: Progress, run: StageRun, provider: str, at: datetime) -> bool:
    """Interest after the deadline is kept while the batch runs (§4.2); True if kept."""
    stage = progress.stage(run.name)
    if not stage.late_interest or run.late_done or run.phase == "waiting":
        return False
    for i in progress.draft.indexes(stage=stage.name, round_="interest", cycle=str(run.cycle)):
        request = progress.draft.requests[i]
        if request.provider == provider and request.outcome == "expired":
            progress.draft.update(i, outcome="interest", responded_at=at, late=True)
            progress.draft.event(
                at, EventType.LATE_INTEREST_KEPT, provider=provider, stage=stage.name
            )
            if run.phase == "offer" and run.due is None:
                _round_end(progress, stage, run, at)
            return True
    return False
