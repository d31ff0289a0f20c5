"""Broker actions, Zulip style: each `check_*` authorises and validates (PermissionDenied,
or a ValidationError naming the field) and changes nothing; its `do_*` calls it, then
changes the package through `sourcing.runner` in one transaction and queues its notices.

- `do_record_phone_answer`: a provider's answer taken by telephone goes to the engine like
  any other answer (`runner.record_answer`), and who recorded what, and when, is audited on
  the timeline. An answer the engine does not take is refused and nothing is recorded.
- `do_award_by_hand`: a broker or manager awards to a provider of their choosing, with a
  reason, overriding the stage's award rule (`engine/by_hand.py`). Before a tender's
  deadline (docs/policies.md §6.3) an override reason is required too, and the timeline
  records an override. Two at once give one award: the package row is locked, and the
  second finds it awarded (`AlreadyAwarded`).
- `do_hold`, `do_release`, `do_cancel`, `do_next_provider`: engine inputs too, so
  `simulate` replays them (docs/policies.md §7). A held package's clocks wait and answers
  are refused until released.
- `do_confirm_view`: a broker has read the provider view of a package held for that review
  (docs/policies.md §6.2, `review_provider_view`), removed the names and words it still
  showed, and confirms it: the view is made again without them, the words are kept on the
  package and learned by the council, and the engine starts sourcing (`ConfirmView`).
- `do_answer_query`: the broker's answer to a provider's question goes to every provider
  approached for the package (docs/policies.md §6.3), audited as `query_answered`.

The engine's events of a broker's input carry the user on their timeline rows (`actor`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.engine.by_hand import tender_deadline
from carebroker.engine.engine import StepResult
from carebroker.engine.inputs import Answer, AwardByHand, ConfirmView, Decision, Hold, Release
from carebroker.engine.scenario import PROVIDER_ACTIONS
from carebroker.engine.state import PackageState
from carebroker.engine.vocabulary import LIVE, RUNNING
from carebroker.lib.london import london_time
from carebroker.outbox.models import NoticeKind
from carebroker.providers.models import Provider
from carebroker.sourcing import runner
from carebroker.sourcing.effects import notify
from carebroker.sourcing.market_db import market_of, redaction_words, view_of
from carebroker.sourcing.models import (
    EventSource,
    Package,
    PackageStatus,
    SourcingRequest,
    TimelineEvent,
)
from carebroker.sourcing.runner import apply, locked, state_of

STAFF = (Role.BROKER, Role.MANAGER)
ANSWER_FIELDS = ("coverage", "rate", "start", "reason", "until", "text", "accept", "call_times")
REASON_LENGTH = 300  # Package.held_reason


class ActionError(ValueError):
    """An action the package cannot take now; the message says why."""


class AlreadyAwarded(ActionError):
    """The package was awarded (by the rule, or by another broker a moment ago)."""


# -- check_*: who may, and is the input well formed (nothing changes) -----------------


def check_staff(user: User, package: Package) -> None:
    """A broker or manager of the package's council; PermissionDenied otherwise."""
    if not user.is_active or user.role not in STAFF or user.council_id != package.council_id:
        raise PermissionDenied("Only a broker or manager of the package's council may do this.")


def check_provider(package: Package, provider: Provider) -> None:
    if provider.council_id != package.council_id:
        raise ValidationError({"provider": f"{provider} is not a provider of this council."})


def check_reason(field: str, text: str | None, missing: str) -> str:
    """The reason, trimmed; ValidationError naming `field` when there is none."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > REASON_LENGTH:
        raise ValidationError({field: f"Keep it to {REASON_LENGTH} characters."})
    return text


def check_phone_answer(
    user: User,
    package: Package,
    provider: Provider,
    answer: Mapping[str, object],
    at: datetime,
    now: datetime,
) -> Answer:
    """The engine's Answer from what the broker typed; ValidationError naming the field."""
    check_staff(user, package)
    check_provider(package, provider)
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
    if at > now:
        raise ValidationError({"at": "A phone answer cannot be recorded before it was given."})
    return Answer(at=at, provider=str(provider.pk), action=str(action), **fields)  # type: ignore[arg-type]


def check_award_by_hand(
    user: User, package: Package, provider: Provider, reason: str, override_reason: str | None
) -> tuple[str, str | None]:
    """The reason and the override reason (None when not given), trimmed."""
    check_staff(user, package)
    check_provider(package, provider)
    reason = check_reason("reason", reason, "Say why the rule is overridden.")
    override = (override_reason or "").strip() or None
    if override is not None:
        override = check_reason("override_reason", override, "")
    return reason, override


def check_hold(user: User, package: Package, reason: str) -> str:
    check_staff(user, package)
    return check_reason("reason", reason, "Say why the package is held.")


def check_next_provider(user: User, package: Package) -> None:
    """Only a manager moves a cascade on while a provider considers (docs/policies.md §5.2:
    the area support manager decides)."""
    check_staff(user, package)
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only a manager approaches the next provider early.")


def check_cancel(user: User, package: Package, reason: str) -> str:
    check_staff(user, package)
    return check_reason("reason", reason, "Say why sourcing is cancelled.")


# -- do_*: the change, through the runner, in one transaction -------------------------


def do_record_phone_answer(
    user: User,
    package: Package,
    provider: Provider,
    answer: Mapping[str, object],
    at: datetime,
    *,
    now: datetime | None = None,
) -> StepResult | None:
    """Record a provider's answer taken by phone at `at`; who recorded it is audited."""
    now = now or at
    signal = check_phone_answer(user, package, provider, answer, at, now)
    with transaction.atomic():
        outcome = runner.record_answer(package, signal, now=now)
        if not outcome.counted:  # rolled back: a refused answer records nothing
            raise ActionError(f"Package {package.case_number}: not taken: {outcome.why}.")
        _audit(
            package,
            user,
            now,
            "phone_answer_recorded",
            provider=str(provider.pk),
            action=signal.action,
            taken_at=at.isoformat(),
            recorded_at=now.isoformat(),
        )
    return outcome.result


def do_award_by_hand(
    user: User,
    package: Package,
    provider: Provider,
    reason: str,
    now: datetime,
    *,
    override_reason: str | None = None,
) -> StepResult:
    """Award `package` to `provider`, overriding the stage's rule, with a reason; before a
    tender's deadline only with an override reason (docs/policies.md §6.3)."""
    reason, override = check_award_by_hand(user, package, provider, reason, override_reason)
    with transaction.atomic():
        row = locked(package)  # two brokers at once: the second waits here, then sees the award
        if row.status == PackageStatus.AWARDED:
            winner = row.awarded_provider
            when = london_time(row.awarded_at) if row.awarded_at else "a moment ago"
            raise AlreadyAwarded(
                f"Package {row.case_number} is already awarded (to {winner}, at {when})."
            )
        _check_status(row, LIVE)
        market = market_of(row.council)
        state = state_of(row)
        _check_sanction(user, provider, state)
        kinds = {stage.name: stage.kind for stage in market.policy.stages}
        deadline = tender_deadline(state.runs, kinds, now)
        if deadline is not None and override is None:  # docs/policies.md §6.3
            raise ValidationError(
                {
                    "override_reason": "No award before the tender's deadline, "
                    f"{london_time(deadline)}. To award now, say why the deadline is "
                    "overridden."
                }
            )
        signal = AwardByHand(
            at=now,
            actor=str(user.role),
            provider=str(provider.pk),
            reason=reason,
            override_reason=override if deadline is not None else None,
        )
        return _step(row, user, signal, now)


def _check_sanction(user: User, provider: Provider, state: PackageState) -> None:
    """docs/policies.md §5.2: a sanctioned provider is skipped unless a manager approves. A
    manager's award by hand is that approval; a broker's needs a manager to have approved
    the provider for this package already (issue 12 finding 12)."""
    if not provider.sanctioned or user.role == Role.MANAGER:
        return
    if any(approved == str(provider.pk) for _gate, approved in state.approvals):
        return
    note = f" ({provider.sanction_note})" if provider.sanction_note else ""
    raise ValidationError(
        {
            "provider": f"{provider.name} is under a sanction{note}: an award by hand to it "
            "needs a manager's approval. Ask a manager to approve it or to make the award."
        }
    )


def do_hold(user: User, package: Package, reason: str, now: datetime) -> StepResult | None:
    """Hold a live package with a reason: its clocks wait, answers are refused."""
    reason = check_hold(user, package, reason)
    with transaction.atomic():
        row = locked(package)
        if row.status == PackageStatus.HELD:
            raise ActionError(f"Package {row.case_number} is already held.")
        _check_status(row, RUNNING)
        if row.engine_state is None:  # seeded before the engine ran: held by the shell alone
            row.held_reason, row.status, row.next_due = reason, PackageStatus.HELD, None
            row.save(update_fields=["held_reason", "status", "next_due"])
            _audit(row, user, now, "held", reason=reason)
            return None
        return _step(row, user, Hold(at=now, actor=str(user.role), reason=reason), now)


def do_release(user: User, package: Package, now: datetime) -> StepResult | None:
    """Release a held package: it goes on where it was; what ran out meanwhile runs out now."""
    check_staff(user, package)
    with transaction.atomic():
        row = locked(package)
        if row.status != PackageStatus.HELD:
            raise ActionError(f"Package {row.case_number} is not held.")
        if row.engine_state is None:  # seeded: adopted by the engine at the next sweep
            row.held_reason, row.status, row.next_due = "", PackageStatus.SOURCING, None
            row.save(update_fields=["held_reason", "status", "next_due"])
            _audit(row, user, now, "released")
            return None
        return _step(row, user, Release(at=now, actor=str(user.role)), now)


def do_cancel(user: User, package: Package, reason: str, now: datetime) -> StepResult:
    """Cancel sourcing: open requests withdrawn (their providers told), clocks stopped."""
    reason = check_cancel(user, package, reason)
    with transaction.atomic():
        row = locked(package)
        _check_status(row, LIVE)
        decision = Decision(at=now, actor=str(user.role), action="cancel", reason=reason)
        return _step(row, user, decision, now)


def do_next_provider(user: User, package: Package, now: datetime) -> StepResult:
    """A cascade moves on to its next provider while the current one considers (§5.2)."""
    check_next_provider(user, package)
    with transaction.atomic():
        row = locked(package)
        _check_status(row, RUNNING)
        decision = Decision(at=now, actor=str(user.role), action="next_provider")
        return _step(row, user, decision, now)


MAX_REDACT_WORDS = 50
REDACT_WORD_LENGTH = 100


def check_redact_words(text: str | None) -> list[str]:
    """The names and words a broker typed to remove, one a line (or comma-separated)."""
    words = [w.strip() for w in re.split(r"[\n,]", text or "") if w.strip()]
    if len(words) > MAX_REDACT_WORDS:
        raise ValidationError(
            {"words": f"Enter at most {MAX_REDACT_WORDS} names or words, not {len(words)}."}
        )
    for word in words:
        if len(word) > REDACT_WORD_LENGTH:
            raise ValidationError(
                {"words": f"“{word[:30]}…” is longer than {REDACT_WORD_LENGTH} characters: "
                 "enter one name or word a line."}
            )  # fmt: skip
        if len(word) < 2 or not any(c.isalnum() for c in word):
            raise ValidationError(
                {"words": f"“{word}” is too short to remove: enter a name or word of "
                 "2 characters or more."}
            )  # fmt: skip
    return list(dict.fromkeys(words))


def preview_view(package: Package, words: Collection[str] = ()) -> dict[str, object]:
    """The provider view as it would go out with `words` removed too (nothing saved)."""
    return view_of(package.person, [*redaction_words(package), *words])


def do_redact_words(user: User, package: Package, text: str, now: datetime) -> list[str]:
    """Remove more names and words from what providers see of this package, before or after
    the view is confirmed: kept on the package, learned by the council, and the view made
    again (every provider-facing text is read from it). Returns the words added."""
    check_staff(user, package)
    words = check_redact_words(text)
    if not words:
        raise ValidationError({"words": "Enter a name or word to remove from what providers see."})
    with transaction.atomic():
        row = locked(package)
        _learn(row, words)
        row.provider_view = view_of(row.person, redaction_words(row))
        row.save(update_fields=["redact_words", "provider_view"])
        _audit(row, user, now, "view_redaction_added", count=len(words))
    return words


def do_confirm_view(user: User, package: Package, text: str, now: datetime) -> StepResult:
    """Confirm the provider view (with any last words removed): sourcing starts now."""
    check_staff(user, package)
    words = check_redact_words(text)
    with transaction.atomic():
        row = locked(package)
        if row.engine_state is None or not state_of(row).view_to_confirm:
            raise ActionError(
                f"Package {row.case_number} has no provider view waiting to be confirmed."
            )
        if words:
            _learn(row, words)
        # Made again from the full record: the view the broker saw, the words just added too.
        row.provider_view = view_of(row.person, redaction_words(row))
        row.view_confirmed_at = now
        row.view_confirmed_by = user.get_username()
        row.save(
            update_fields=[
                "redact_words",
                "provider_view",
                "view_confirmed_at",
                "view_confirmed_by",
            ]
        )
        return _step(row, user, ConfirmView(at=now, actor=str(user.role)), now)


def _learn(row: Package, words: Collection[str]) -> None:
    """Keep `words` on the package and in its council's learned list (each once)."""
    row.redact_words = list(dict.fromkeys([*(row.redact_words or []), *words]))
    council = row.council
    learned = list(dict.fromkeys([*(council.redact_words or []), *words]))
    if learned != council.redact_words:
        council.redact_words = learned
        council.save(update_fields=["redact_words"])


def _check_status(row: Package, allowed: Collection[str]) -> None:
    if row.status not in allowed:
        raise ActionError(f"Package {row.case_number} is {row.get_status_display().lower()}.")


def _step(
    row: Package,
    user: User,
    signal: AwardByHand | Hold | Release | Decision | ConfirmView,
    now: datetime,
) -> StepResult:
    """One broker input through the engine; refused (and rolled back) when it is ignored."""
    outcome = apply(
        row, market_of(row.council), state_of(row), signal, now, actor=user.get_username()
    )
    refused = [str(e.details.get("ignored")) for e in outcome.events if e.type == "ignored"]
    if refused:
        raise ActionError(f"Package {row.case_number}: {'; '.join(refused)}.")
    return outcome


def do_answer_query(
    user: User,
    package: Package,
    question: int | str,
    answer: str,
    now: datetime,
    shared: str | None = None,
) -> TimelineEvent:
    """Answer a provider's question: a `query_answered` event, and one `query_answer`
    notice per provider approached (its main contact), keyed by question and provider.

    Nothing of a provider's question reaches the other providers before this: the broker
    approves it by answering, and may share it in their own words (`shared`: a price, a
    name or a phone number edited out; issue 12 finding 10). The question goes with the
    answer, never alone.

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
        asked_text = text
        if shared is not None and shared.strip():
            text = shared.strip()
            _check_no_names(package, text, field="shared")
        event = TimelineEvent.objects.create(
            package=row,
            at=now,
            type="query_answered",
            details={
                "question_event": asked.pk if asked else None,
                "provider": asked.details.get("provider") if asked else None,
                "question": text,
                "asked": asked_text,
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


def _check_no_names(package: Package, answer: str, field: str = "answer") -> None:
    """Providers see only the provider view before an award (docs/policies.md §6.2): no names."""
    person = package.person
    names = [person.name, person.principal_contact, person.allocated_worker]
    names += [str(r.get("name", "")) for r in person.relations or [] if isinstance(r, dict)]
    names += redaction_words(package)  # docs/policies.md §6.2: what brokers removed stays out
    words = {w.lower() for name in names for w in re.findall(r"[^\W\d_]{3,}", name or "")}
    said = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", answer)}
    if words & said:
        raise ValidationError(
            {field: "Do not name the person or their family: every provider approached gets it."}
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
