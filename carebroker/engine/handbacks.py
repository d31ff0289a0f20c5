"""Handbacks: a provider gives a placement back (docs/policies.md §5 Handbacks; seed 003).

- **One package, at once** (`handback`): escalated at once to the area support manager (the
  policy's `individual_escalate_to`), and the package returns to the list with its waiting
  clock restarted from the handback. A mere preference about call times is refused.
- **Several packages, with notice** (`handback_notice`, one input per package, all given
  together by the provider): the notice date (`until`) must be at least
  `multiple_notice_days` days after the day the notice is given, else it is refused with
  the reason. The manager is told at once and asked to call the provider within
  `multiple_call_within` (a `handback_call_due` event with its due time); the placement goes
  on until the notice date, when the package returns to the list (a `handback` timer).

The reasons are codes in scenarios and on the timeline; `REASONS` gives them in words.
"""

from __future__ import annotations

from datetime import datetime

from carebroker.engine.inputs import Answer
from carebroker.engine.progress import Progress
from carebroker.engine.vocabulary import EffectKind, EventType, NoticeKind, PackageStatus
from carebroker.lib.london import LONDON

CALL_TIMES = "call_times"
TIMER = "handback"  # the package-wide clock of a handback with notice (PackageState.timers)

REASONS: dict[str, str] = {
    "staffing": "We cannot staff the calls",
    "needs": "The person's needs have changed beyond what we can meet",
    "risk": "A risk to the person or to our carers",
    CALL_TIMES: "A preference about the call times only",
    "other": "Another reason",
}
"""What a provider may give as its reason, in the words the portal and the notices show."""

CALL_TIMES_REFUSED = "a preference about call times only is not a handback"


def reason_words(code: str | None) -> str:
    """A reason code in words; a reason not in the list is the provider's own, as written."""
    if not code:
        return "No reason given"
    return REASONS.get(code, code)


def handback(progress: Progress, answer: Answer) -> None:
    """One package handed back at once (see the module)."""
    draft = progress.draft
    rule = progress.policy.handbacks
    if _call_times_only(progress, answer):
        return
    draft.event(answer.at, EventType.HANDBACK, **_given(answer))
    # Referrers kept informed (issue 11): the referrer hears of a handback in every preset.
    draft.effect(EffectKind.SEND_NOTICE, "referrer", notice=NoticeKind.HANDBACK)
    if rule is None:
        return
    draft.event(answer.at, EventType.HANDBACK_ESCALATED, to=rule.individual_escalate_to)
    draft.effect(EffectKind.SEND_NOTICE, rule.individual_escalate_to, notice=NoticeKind.HANDBACK)
    if rule.individual_returns_to_list:
        return_to_list(progress, answer.at)


def handback_notice(progress: Progress, answer: Answer) -> None:
    """One of several packages handed back with notice (see the module)."""
    draft = progress.draft
    rule = progress.policy.handbacks
    if rule is None:
        progress.ignore(
            answer.at, "the council's policy has no handback with notice",
            provider=answer.provider, action=answer.action,
        )  # fmt: skip
        return
    if _call_times_only(progress, answer):
        return
    if answer.until is None:
        progress.ignore(
            answer.at, "a handback with notice names the date the care ends",
            provider=answer.provider, action=answer.action,
        )  # fmt: skip
        return
    given = answer.at.astimezone(LONDON).date()
    ends = answer.until.astimezone(LONDON).date()
    if (ends - given).days < rule.multiple_notice_days:
        # docs/policies.md §5 Handbacks: several packages need at least 5 days' notice
        progress.ignore(
            answer.at,
            f"several packages handed back need at least {rule.multiple_notice_days} days' notice",
            provider=answer.provider,
            action=answer.action,
        )
        return
    call_by = progress.deadline(answer.at, rule.multiple_call_within)
    draft.event(answer.at, EventType.HANDBACK_NOTICE, ends=answer.until, **_given(answer))
    draft.event(answer.at, EventType.HANDBACK_CALL_DUE, to=rule.individual_escalate_to, due=call_by)
    draft.effect(
        EffectKind.SEND_NOTICE,
        rule.individual_escalate_to,
        notice=NoticeKind.HANDBACK,
        ends=answer.until,
        call_by=call_by,
    )
    draft.timers = [(when, label) for when, label in draft.timers if label != TIMER]
    draft.timers.append((answer.until, TIMER))


def notice_ended(progress: Progress, at: datetime) -> None:
    """The notice date of a handback with notice came: the package is sourced again."""
    draft = progress.draft
    draft.timers = [(when, label) for when, label in draft.timers if label != TIMER]
    notice = next(e for e in reversed(draft.events) if e.type == EventType.HANDBACK_NOTICE)
    # the handback itself is on the timeline (and in the reports) on the day the care ends
    draft.event(
        at,
        EventType.HANDBACK,
        provider=draft.provider,
        reason=notice.details.get("reason"),
        notice_given=notice.at,
    )
    draft.effect(EffectKind.SEND_NOTICE, "referrer", notice=NoticeKind.HANDBACK)
    return_to_list(progress, at)


def return_to_list(progress: Progress, at: datetime) -> None:
    """Back on the list: sourced again from the first stage, the waiting clock restarted."""
    draft = progress.draft
    draft.status = PackageStatus.SOURCING
    draft.provider = None
    draft.awarded_at = None
    draft.next_stage = 0
    draft.event(at, EventType.RETURNED_TO_LIST)
    draft.timers = []
    waiting = progress.policy.waiting_list
    if waiting is not None:  # §5 Handbacks: the waiting clock restarts from the handback
        calendar = progress.market.calendar
        draft.timers = [
            (calendar.add_working_days(at, waiting.amber_from_days), "amber"),
            (calendar.add_working_days(at, waiting.red_from_days), "red"),
        ]
    progress.enter(at)


def _call_times_only(progress: Progress, answer: Answer) -> bool:
    rule = progress.policy.handbacks
    if (
        rule is not None
        and answer.reason == CALL_TIMES
        and not rule.call_time_preference_returns_to_list
    ):
        # seed 003: a mere preference about call times is not a handback; refused, and the
        # placement goes on (nothing is escalated, nothing re-sourced)
        progress.ignore(
            answer.at, CALL_TIMES_REFUSED, provider=answer.provider, action=answer.action
        )
        return True
    return False


def _given(answer: Answer) -> dict[str, object]:
    return {"provider": answer.provider, "reason": answer.reason, "text": answer.text or None}
