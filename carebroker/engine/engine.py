"""The step function: a package's state + one input -> the new state, effects, timeline events.

Inputs (`inputs.py`): the referral, "the time is now T", a provider's answer, a council
decision, and what brokers do by hand (`by_hand.py`: award, hold, release, confirm the
provider view). Nothing here
reads the clock: time enters only in the inputs. `next_due` tells the caller when the
package next needs a `Tick`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carebroker.engine import by_hand, gates, grace, handbacks, placement, reviews
from carebroker.engine.by_hand import VIEW_TO_CONFIRM_REASON
from carebroker.engine.inputs import (
    Answer,
    AwardByHand,
    ConfirmView,
    Decision,
    Hold,
    Input,
    PlacementChange,
    ReferralInput,
    Release,
    ReviewOutcome,
    Tick,
)
from carebroker.engine.market import Market, PackageSpec
from carebroker.engine.progress import Progress
from carebroker.engine.stages import answer as stage_answer
from carebroker.engine.stages import batch, on_due, tender
from carebroker.engine.state import OPEN_OUTCOMES, Draft, Effect, Event, PackageState
from carebroker.engine.vocabulary import (
    RUNNING,
    AnswerAction,
    DecisionAction,
    EffectKind,
    EventType,
    NoticeKind,
    PackageStatus,
)
from carebroker.lib.london import LONDON

_MAX_DUE_PER_TICK = 10_000  # a policy that loops on itself stops here instead of hanging


@dataclass(frozen=True)
class StepResult:
    """What one input did: the new state, the effects to carry out, the new timeline events."""

    state: PackageState
    effects: tuple[Effect, ...]
    events: tuple[Event, ...]


def begin(package: PackageSpec) -> PackageState:
    """The state of a package not yet referred."""
    return PackageState(package=package)


def step(market: Market, state: PackageState, signal: Input) -> StepResult:
    """Apply one input to one package."""
    draft = Draft(state)
    apply(market, draft, signal)
    return StepResult(draft.freeze(), tuple(draft.effects), tuple(draft.new_events))


def apply(market: Market, draft: Draft, signal: Input) -> None:
    """`step` on a draft, in place: the new events and effects are added to the draft's.

    For a caller that keeps a package's `Draft` from one input to the next (the what-if run,
    `whatif.py`) instead of freezing a copy per step; it must empty `draft.new_events` and
    `draft.effects` before each call and sort `draft.timers` after it (as `freeze` does).
    `step` is this plus the copy in and the frozen copy out, so the two cannot disagree.
    """
    progress = Progress(market, draft)
    if isinstance(signal, Answer):  # the commonest input first (the types are unrelated)
        _answer(progress, signal)
    elif isinstance(signal, ReferralInput):
        _refer(progress, signal.at)
    elif isinstance(signal, Tick):
        _tick(progress, signal.at)
    elif isinstance(signal, AwardByHand):
        by_hand.award(progress, signal)
    elif isinstance(signal, Hold):
        by_hand.hold(progress, signal)
    elif isinstance(signal, Release):
        by_hand.release(progress, signal)
    elif isinstance(signal, PlacementChange):
        placement.change(progress, signal)
    elif isinstance(signal, ConfirmView):
        by_hand.confirm_view(progress, signal)
    elif isinstance(signal, ReviewOutcome):
        reviews.record(progress, signal)
    elif _live_or_new(draft, signal):
        gates.decide(progress, signal)


def next_due(state: PackageState | Draft) -> datetime | None:
    """When the package next needs the clock (a deadline, a batch, a listing), if ever."""
    if state.status == PackageStatus.AWARDED:  # only a handback's notice date runs on
        return min((at for at, label in state.timers if label == handbacks.TIMER), default=None)
    if state.status not in RUNNING:  # held: the clocks wait
        return None
    earliest: datetime | None = None  # a plain loop: the what-if run asks after every step
    for run in state.runs:
        due = run.due
        if due is not None and run.status == "active" and (earliest is None or due < earliest):
            earliest = due
    for at, _ in state.timers:
        if earliest is None or at < earliest:
            earliest = at
    return earliest


def _live_or_new(draft: Draft, decision: Decision) -> bool:
    if (
        draft.status == PackageStatus.NEW
        and decision.action == DecisionAction.APPROVE
        and decision.gate
    ):
        # an approval given before the referral arrives is kept (a sanctioned provider)
        draft.approvals.add((decision.gate, decision.provider or ""))
        draft.event(
            decision.at, EventType.APPROVAL_RECORDED, gate=decision.gate, provider=decision.provider
        )
        return False
    if draft.status == PackageStatus.NEW:
        draft.event(decision.at, EventType.IGNORED, ignored="the package is not referred yet")
        return False
    return True


def _refer(progress: Progress, at: datetime) -> None:
    draft = progress.draft
    package = progress.package
    policy = progress.policy
    draft.event(at, EventType.REFERRAL_RECEIVED, urgent=progress.market.is_urgent(package))
    check = policy.referral
    if package.documents is not None and (check.required or check.required_when):
        missing = check.missing(set(package.documents), set(package.flags))
        if missing:  # docs/policies.md §5.1, §6.1: back to the referrer with just what is missing
            draft.status = PackageStatus.RETURNED
            draft.event(
                at,
                EventType.REFERRAL_RETURNED,
                missing=missing,
                to="referrer",
                copy_manager=check.copy_manager,
                message=check.message or None,
            )
            draft.effect(
                EffectKind.RETURN_REFERRAL,
                "referrer",
                missing=missing,
                copy_manager=check.copy_manager,
            )
            return
    draft.event(at, EventType.REFERRAL_CHECKED)
    if grace.applies(progress):  # docs/policies.md §5 Self-funders: purchasing waits
        grace.begin(progress, at)
    else:
        grace.start_waiting_clock(progress, at)
    if policy.review_provider_view and not package.view_confirmed:
        # docs/policies.md §6.2 (issue 12 finding 11): the redaction is a heuristic, so a
        # broker reads the provider view first; no request goes out until confirmed.
        draft.status = PackageStatus.HELD
        draft.held_reason = VIEW_TO_CONFIRM_REASON
        draft.view_to_confirm = True
        draft.event(at, EventType.VIEW_TO_CONFIRM)
        return
    draft.status = PackageStatus.SOURCING
    if grace.waiting(draft):
        return  # the grace timer starts the first stage (_tick)
    progress.enter(at)


def _tick(progress: Progress, at: datetime) -> None:
    draft = progress.draft
    for _ in range(_MAX_DUE_PER_TICK):
        if draft.status == PackageStatus.AWARDED:
            ends = [when for when, label in draft.timers if label == handbacks.TIMER]
            if not ends or min(ends) > at:
                return
            handbacks.notice_ended(progress, min(ends))
            continue
        if draft.status not in RUNNING:
            return
        due: list[tuple[datetime, int, str]] = [
            (run.due, 0, run.name)
            for run in draft.active_runs()
            if run.due is not None and run.due <= at
        ]
        due.extend((when, 1, label) for when, label in draft.timers if when <= at)
        if not due:
            return
        when, kind, name = min(due)
        if kind == 1:
            draft.timers.remove((when, name))
            if name == grace.TIMER:
                grace.ended(progress, when)
            else:
                _rag(progress, when, name)
            continue
        run = draft.run(name)
        assert run is not None
        on_due(progress, run, when)
    raise RuntimeError(f"package {draft.package.id}: more than {_MAX_DUE_PER_TICK} clocks at once")


def _rag(progress: Progress, at: datetime, rag: str) -> None:
    waiting = progress.policy.waiting_list
    assert waiting is not None
    action = waiting.amber_action if rag == "amber" else waiting.red_action
    progress.draft.event(at, EventType.WAITING_LIST_RAG, rag=rag, action=action)
    progress.draft.effect(
        EffectKind.SEND_NOTICE, "manager", notice=NoticeKind.ESCALATION, action=action, rag=rag
    )


def _answer(progress: Progress, answer: Answer) -> None:
    draft = progress.draft
    now = answer.at
    if draft.status == PackageStatus.AWARDED:
        _after_award(progress, answer)
        return
    if draft.status not in RUNNING:
        progress.ignore(now, f"the package is {draft.status}", provider=answer.provider)
        return
    if answer.action == AnswerAction.ASSESSMENT_DONE:
        for run in draft.active_runs():
            if run.phase == "assessing" and run.assessor == answer.provider:
                batch.assessment_done(progress, run, answer)
                return
        progress.ignore(now, "no assessment agreed with this provider", provider=answer.provider)
        return
    if answer.action in (AnswerAction.OFFER, AnswerAction.WITHDRAW) and tender.change_offer(
        progress, answer
    ):
        return
    if answer.action == AnswerAction.WITHDRAW:
        progress.ignore(
            now, "no offer of this provider to withdraw before its deadline",
            provider=answer.provider,
        )  # fmt: skip
        return
    provider = answer.provider
    requests = draft.requests
    mine = draft.of_provider(provider)
    for n in range(len(mine) - 1, -1, -1):  # the latest first
        index = mine[n]
        request = requests[index]
        if request.outcome not in OPEN_OUTCOMES:
            continue
        owner = draft.run(request.stage)
        if (
            owner is not None
            and owner.status == "active"
            and stage_answer(progress, owner, index, answer)
        ):
            return
    if answer.action == AnswerAction.INTEREST:
        for run in draft.active_runs():
            if progress.stage(run.name).kind == "batch" and batch.late_interest(
                progress, run, answer.provider, now
            ):
                return
    progress.ignore(
        now, "no open request to this provider", provider=answer.provider, action=answer.action
    )


def _after_award(progress: Progress, answer: Answer) -> None:
    draft = progress.draft
    if answer.provider != draft.provider:
        progress.ignore(answer.at, "the package is awarded", provider=answer.provider)
        return
    if placement.placement_of(draft.events) == placement.Placement.ENDED:
        progress.ignore(answer.at, "the placement has ended", provider=answer.provider)
        return
    if answer.action == AnswerAction.CONFIRM:
        today = answer.at.astimezone(LONDON).date()
        if answer.start is not None and answer.start < today:
            # docs/policies.md §5 After acceptance: the confirmed start is agreed ahead
            progress.ignore(
                answer.at,
                "the start date on the confirmation is before today",
                provider=answer.provider,
                action=answer.action,
            )
            return
        progress.confirmed(answer.at, answer.start, answer.call_times, answer.text)
    elif answer.action == AnswerAction.HANDBACK:
        handbacks.handback(progress, answer)
    elif answer.action == AnswerAction.HANDBACK_NOTICE:
        handbacks.handback_notice(progress, answer)
    else:
        progress.ignore(answer.at, f"{answer.action} after the award", provider=answer.provider)
