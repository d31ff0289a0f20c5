"""What brokers and managers do by hand (docs/policies.md §7): award, hold, release.

These are engine inputs like a provider's answer, so `simulate` replays them and the
database runs them through the same `engine.step` (docs/scenarios.md `events[]`).

- An award by hand overrides the stage's award rule, with a reason. Before a tender's
  deadline (docs/policies.md §6.3: no award before the deadline, even if everyone answered) it
  is refused unless an override reason is given too; then its timeline event is
  `award_override`, not `awarded_by_hand`, and names the deadline it overrode.
- A hold stops the package's clocks (`next_due` is None while `held`) and answers are
  refused; on release the package is where the engine left it (sourcing, or waiting at its
  gate) and whatever ran out meanwhile runs out at the release instant (the next tick).
  The policies name no pause, so no deadline is moved.
- The provider view's review (docs/policies.md §6.2, `review_provider_view`): a package
  accepted under such a policy is held (`view_to_confirm`) until a broker confirms the
  view; only then does its first stage start. A plain release cannot skip the review.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from carebroker.engine import grace
from carebroker.engine.inputs import AwardByHand, ConfirmView, Hold, Release
from carebroker.engine.progress import Progress
from carebroker.engine.state import StageRun
from carebroker.engine.vocabulary import RUNNING, EventType, PackageStatus

HOLDABLE = RUNNING  # being sourced, or waiting at a gate for a decision
AWARDABLE = RUNNING | {PackageStatus.HELD}
HAND_AWARD_EVENTS = (EventType.AWARDED_BY_HAND, EventType.AWARD_OVERRIDE)
VIEW_TO_CONFIRM_REASON = "Waiting for a broker to confirm what providers will see"


def tender_deadline(
    runs: Iterable[StageRun], kinds: Mapping[str, str], at: datetime
) -> datetime | None:
    """The deadline of a tender still running at `at` (docs/policies.md §6.3), if any.

    `kinds` maps each stage name to its kind (the policy's).
    """
    pending = [
        run.due
        for run in runs
        if run.status == "active"
        and kinds.get(run.name) == "tender"
        and run.due is not None
        and at < run.due
    ]
    return min(pending, default=None)


def stage_kinds(progress: Progress) -> dict[str, str]:
    return {stage.name: stage.kind for stage in progress.policy.stages}


def award_refusal(progress: Progress, award: AwardByHand) -> str | None:
    """Why the engine does not take this award by hand now; None when it does."""
    draft = progress.draft
    if draft.status == PackageStatus.AWARDED:
        return "the package is already awarded"
    if draft.status not in AWARDABLE:
        return f"the package is {draft.status}"
    if progress.market.provider(award.provider) is None:
        return f"no provider {award.provider} in the market"
    if not award.reason.strip():
        return "an award by hand needs a reason"
    if _deadline(progress, award.at) is not None and not (award.override_reason or "").strip():
        return "no award before the tender's deadline without an override reason"
    return None


def award(progress: Progress, signal: AwardByHand) -> None:
    """Award to `signal.provider`, overriding the stage's rule (see the module)."""
    draft = progress.draft
    why = award_refusal(progress, signal)
    if why is not None:
        progress.ignore(signal.at, why, action="award", provider=signal.provider)
        return
    deadline = _deadline(progress, signal.at)
    latest = next((r for r in reversed(draft.requests) if r.provider == signal.provider), None)
    stage = latest.stage if latest else draft.stage or progress.policy.stages[0].name
    draft.event(
        signal.at,
        EventType.AWARD_OVERRIDE if deadline is not None else EventType.AWARDED_BY_HAND,
        provider=signal.provider,
        actor=signal.actor,
        reason=signal.reason.strip(),
        override_reason=(signal.override_reason or "").strip() or None if deadline else None,
        deadline=deadline,
    )
    draft.held_reason = None
    progress.award(
        signal.at,
        signal.provider,
        stage,
        rate=latest.rate if latest else None,
        start=latest.start if latest else None,
    )


def hold(progress: Progress, signal: Hold) -> None:
    draft = progress.draft
    if draft.status not in HOLDABLE:
        why = "the package is already held" if draft.status == PackageStatus.HELD else None
        progress.ignore(signal.at, why or f"the package is {draft.status}", action="hold")
        return
    if not signal.reason.strip():
        progress.ignore(signal.at, "a hold needs a reason", action="hold")
        return
    draft.status = PackageStatus.HELD
    draft.held_reason = signal.reason.strip()
    draft.event(signal.at, EventType.HELD, actor=signal.actor, reason=draft.held_reason)


def release(progress: Progress, signal: Release) -> None:
    draft = progress.draft
    if draft.status != PackageStatus.HELD:
        progress.ignore(signal.at, "the package is not held", action="release")
        return
    if draft.view_to_confirm:
        progress.ignore(signal.at, "confirm what providers will see first", action="release")
        return
    draft.status = PackageStatus.ON_HOLD if draft.gate else PackageStatus.SOURCING
    draft.held_reason = None
    draft.event(signal.at, EventType.RELEASED, actor=signal.actor)
    # What ran out while held runs out now, at the release, not back then: a provider asked
    # next gets its whole window from now. Deadlines are not moved (no pause is invented).
    for run in draft.active_runs():
        if run.due is not None and run.due < signal.at:
            draft.put(replace(run, due=signal.at))
    draft.timers = [(max(when, signal.at), label) for when, label in draft.timers]


def confirm_view(progress: Progress, signal: ConfirmView) -> None:
    """The broker confirmed the provider view: the package starts sourcing now (§6.2)."""
    draft = progress.draft
    if not draft.view_to_confirm or draft.status != PackageStatus.HELD:
        progress.ignore(signal.at, "the provider view needs no confirming", action="confirm")
        return
    draft.view_to_confirm = False
    draft.held_reason = None
    draft.status = PackageStatus.SOURCING
    draft.event(signal.at, EventType.VIEW_CONFIRMED, actor=signal.actor)
    draft.timers = [(max(when, signal.at), label) for when, label in draft.timers]
    if grace.waiting(draft):
        return  # a self-funder's grace still runs: its end starts the first stage
    progress.enter(signal.at)


def _deadline(progress: Progress, at: datetime) -> datetime | None:
    return tender_deadline(progress.draft.runs, stage_kinds(progress), at)
