"""Broker actions (issue 4 item 7), Zulip style: `check_*` authorises and validates, `do_*`
changes the package in one transaction and queues its notices.

- `do_record_phone_answer`: a provider's answer taken by telephone goes to the engine like
  any other answer, and who recorded what, and when, is audited on the timeline.
- `do_award_by_hand`: a broker or manager awards to a provider of their choosing, with a
  reason, overriding the stage's award rule; audited. Two at once give one award: the
  package row is locked, and the second finds it awarded (`AlreadyAwarded`).
- `do_cancel`, `do_hold`, `do_release`: cancel (a council decision the engine knows);
  put on hold and release. A hold stops the package's clocks (`next_due` cleared) and
  refuses answers until released; what ran out meanwhile runs out at the next sweep after
  the release (the policies name no pause, so none is invented).
- `do_answer_query`: the broker's answer to a provider's question goes to every provider
  approached for the package (docs/policies.md §6.3), audited as `query_answered`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.engine import engine
from carebroker.engine.engine import StepResult
from carebroker.engine.inputs import Answer, Decision
from carebroker.engine.progress import Progress
from carebroker.engine.scenario import PROVIDER_ACTIONS
from carebroker.engine.state import Draft
from carebroker.engine.vocabulary import LIVE
from carebroker.outbox.models import NoticeKind
from carebroker.providers.models import Provider
from carebroker.sourcing.effects import notify
from carebroker.sourcing.market_db import market_of
from carebroker.sourcing.models import (
    EventSource,
    Package,
    PackageStatus,
    SourcingRequest,
    TimelineEvent,
)
from carebroker.sourcing.runner import apply, locked, save_step, state_of

STAFF = (Role.BROKER, Role.MANAGER)
ANSWER_FIELDS = ("coverage", "rate", "start", "reason", "until", "text", "accept", "call_times")


class ActionError(ValueError):
    """An action the package cannot take now; the message says why."""


class AlreadyAwarded(ActionError):
    """The package was awarded (by the rule, or by another broker a moment ago)."""


def check_staff(user: User, package: Package) -> None:
    """A broker or manager of the package's council; PermissionDenied otherwise."""
    if not user.is_active or user.role not in STAFF or user.council_id != package.council_id:
        raise PermissionDenied("Only a broker or manager of the package's council may do this.")


def get_package_for_user(user: User, case_number: str) -> Package:
    """The package with this Mosaic ID in the user's council, if the user may act on it."""
    package = Package.objects.filter(council_id=user.council_id, case_number=case_number).first()
    if package is None:
        raise Package.DoesNotExist(f"No package {case_number!r} in your council.")
    check_staff(user, package)
    return package


def check_provider(package: Package, provider: Provider) -> None:
    if provider.council_id != package.council_id:
        raise ValidationError({"provider": f"{provider} is not a provider of this council."})


def phone_answer(provider: Provider, answer: Mapping[str, object], at: datetime) -> Answer:
    """The engine's Answer from what the broker typed; ValidationError naming the field."""
    action = answer.get("action")
    if action not in PROVIDER_ACTIONS:
        raise ValidationError({"action": f"Must be one of {', '.join(PROVIDER_ACTIONS)}."})
    unknown = set(answer) - {"action", *ANSWER_FIELDS}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Not a field of an answer."})
    fields: dict[str, object] = {k: answer[k] for k in ANSWER_FIELDS if answer.get(k) is not None}
    if "rate" in fields:
        try:
            fields["rate"] = Decimal(str(fields["rate"]))
        except InvalidOperation:
            raise ValidationError({"rate": 'Must be an hourly rate like "24.10".'}) from None
    if "start" in fields and not isinstance(fields["start"], date):
        raise ValidationError({"start": "Must be a date."})
    if at.tzinfo is None:
        raise ValidationError({"at": "Must be a time with its time zone."})
    return Answer(at=at, provider=str(provider.pk), action=str(action), **fields)  # type: ignore[arg-type]


def do_record_phone_answer(
    user: User,
    package: Package,
    provider: Provider,
    answer: Mapping[str, object],
    at: datetime,
    *,
    now: datetime | None = None,
) -> StepResult:
    """Record a provider's answer taken by phone at `at`; who recorded it is audited."""
    check_staff(user, package)
    check_provider(package, provider)
    signal = phone_answer(provider, answer, at)
    now = now or at
    if at > now:
        raise ValidationError({"at": "A phone answer cannot be recorded before it was given."})
    with transaction.atomic():
        row = locked(package)
        if row.held_reason:
            raise ActionError(f"Package {row.case_number} is on hold: {row.held_reason}")
        outcome = apply(row, market_of(row.council), state_of(row), signal, now)
        _audit(
            row,
            user,
            now,
            "phone_answer_recorded",
            provider=str(provider.pk),
            action=signal.action,
            taken_at=at.isoformat(),
            recorded_at=now.isoformat(),
        )
    return outcome


def do_award_by_hand(
    user: User, package: Package, provider: Provider, reason: str, now: datetime
) -> StepResult:
    """Award `package` to `provider`, overriding the stage's rule, with a reason (audited)."""
    check_staff(user, package)
    check_provider(package, provider)
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the rule is overridden."})
    with transaction.atomic():
        row = locked(package)  # two brokers at once: the second waits here, then sees the award
        if row.status == PackageStatus.AWARDED:
            winner = row.awarded_provider
            when = row.awarded_at.isoformat() if row.awarded_at else "?"
            raise AlreadyAwarded(
                f"Package {row.case_number} is already awarded (to {winner}, at {when})."
            )
        if row.status not in LIVE:
            raise ActionError(f"Package {row.case_number} is {row.get_status_display().lower()}.")
        market = market_of(row.council)
        before = state_of(row)
        draft = Draft(before)
        pid = str(provider.pk)
        offer = next((r for r in reversed(draft.requests) if r.provider == pid), None)
        # The engine's own award: open requests withdrawn, other stages stopped, award notice.
        Progress(market, draft).award(
            now,
            pid,
            draft.stage or "by_hand",
            rate=offer.rate if offer else None,
            start=offer.start if offer else None,
        )
        outcome = StepResult(draft.freeze(), tuple(draft.effects), tuple(draft.new_events))
        row.held_reason = ""
        save_step(row, market, before, outcome, now)
        _audit(row, user, now, "awarded_by_hand", provider=pid, reason=reason.strip())
    return outcome


def do_cancel(user: User, package: Package, reason: str, now: datetime) -> StepResult:
    """Cancel sourcing: open requests withdrawn (their providers told), clocks stopped."""
    check_staff(user, package)
    with transaction.atomic():
        row = locked(package)
        if row.status not in LIVE:
            raise ActionError(f"Package {row.case_number} is {row.get_status_display().lower()}.")
        row.held_reason = ""
        decision = Decision(at=now, actor=str(user.role), action="cancel")
        outcome = apply(row, market_of(row.council), state_of(row), decision, now)
        _audit(row, user, now, "cancelled_by", reason=reason)
    return outcome


def do_hold(user: User, package: Package, reason: str, now: datetime) -> None:
    """Put a package on hold with a reason: its clocks wait, answers are refused."""
    check_staff(user, package)
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the package is on hold."})
    with transaction.atomic():
        row = locked(package)
        if row.status not in LIVE or row.held_reason:
            raise ActionError(f"Package {row.case_number} cannot be put on hold now.")
        row.held_reason = reason.strip()[:300]
        row.status = PackageStatus.ON_HOLD
        row.next_due = None
        row.save(update_fields=["held_reason", "status", "next_due"])
        _audit(row, user, now, "put_on_hold", reason=row.held_reason)


def do_release(user: User, package: Package, now: datetime) -> None:
    """Release a held package: it is as the engine left it; clocks due run at the next sweep."""
    check_staff(user, package)
    with transaction.atomic():
        row = locked(package)
        if not row.held_reason:
            raise ActionError(f"Package {row.case_number} is not on hold.")
        row.held_reason = ""
        if row.engine_state is None:  # seeded before the engine ran: adopted at the next sweep
            row.status, row.next_due = PackageStatus.SOURCING, None
        else:
            state = state_of(row)
            row.status, row.next_due = state.status, engine.next_due(state)
        row.save(update_fields=["held_reason", "status", "next_due"])
        _audit(row, user, now, "released")


def do_answer_query(
    user: User, package: Package, question: int | str, answer: str, now: datetime
) -> TimelineEvent:
    """Answer a provider's question: a `query_answered` event, and one `query_answer`
    notice per provider approached (its main contact), keyed by question and provider.

    `question` is the id of the package's `query` event, or the question's text when it
    came another way (by telephone). The same query event answered again with the same
    words returns the first answer and sends nothing more; with other words it is refused.
    """
    check_staff(user, package)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Enter the answer to the question."})
    _check_no_names(package, answer)
    with transaction.atomic():
        row = locked(package)
        asked: TimelineEvent | None = None
        if isinstance(question, int) or str(question).strip().isdigit():
            asked = row.timeline.filter(pk=int(question), type="query").first()
            if asked is None:
                raise ValidationError({"question": f"No question {question} on package {row}."})
            text = str(asked.details.get("text") or "(asked by telephone)")
            done = row.timeline.filter(type="query_answered", details__question_event=asked.pk)
            first = done.order_by("id").first()
            if first is not None:
                if first.details.get("answer") != answer:
                    raise ActionError(
                        f"This question was answered at {first.at.isoformat()} by {first.actor};"
                        " that answer went to the providers and is not sent again."
                    )
                return first
        else:
            text = str(question or "").strip()
            if not text:
                raise ValidationError({"question": "Enter the question being answered."})
        event = TimelineEvent.objects.create(
            package=row,
            at=now,
            type="query_answered",
            details={
                "question_event": asked.pk if asked else None,
                "provider": asked.details.get("provider") if asked else None,
                "question": text,
                "answer": answer,
            },
            source=EventSource.COUNCIL,
            actor=user.get_username(),
        )
        cause = asked.pk if asked else event.pk
        for provider_id, deadline in _approached(row).items():
            # §6.3: the answer goes to every provider approached, the question with it.
            context = {"question": text, "answer": answer, "deadline": deadline}
            key = f"query_answer:{row.case_number}:{cause}:{provider_id}"
            notify(row, str(provider_id), NoticeKind.QUERY_ANSWER, key, context, now)
    return event


def _approached(row: Package) -> dict[int, datetime]:
    """Every provider with a request on the package, with its latest request's deadline."""
    deadlines: dict[int, datetime] = {}
    for provider_id, deadline in (
        SourcingRequest.objects.filter(package=row)
        .order_by("seq")
        .values_list("provider_id", "deadline")
    ):
        deadlines[provider_id] = deadline
    return deadlines


def _check_no_names(package: Package, answer: str) -> None:
    """Providers see only the provider view before an award (docs/policies.md §6.2): no names."""
    person = package.person
    names = [person.name, person.principal_contact, person.allocated_worker]
    names += [str(r.get("name", "")) for r in person.relations or [] if isinstance(r, dict)]
    words = {w.lower() for name in names for w in re.findall(r"[^\W\d_]{3,}", name or "")}
    said = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", answer)}
    if words & said:
        raise ValidationError(
            {"answer": "Do not name the person or their family: every provider approached gets it."}
        )


def _audit(row: Package, user: User, now: datetime, type_: str, **details: object) -> None:
    TimelineEvent.objects.create(
        package=row,
        at=now,
        type=type_,
        details={k: v for k, v in details.items() if v not in (None, "")},
        source=EventSource.COUNCIL,
        actor=user.get_username(),
    )
