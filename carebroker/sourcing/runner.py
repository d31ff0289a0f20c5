"""The sourcing engine on the database: one input to one package, in one transaction.

Every change to a package's sourcing comes through here: `do_referral`, `record_answer`
(a provider's answer, however it came), `do_council` (a gate decision, or what a broker
does by hand: award, hold, release, cancel, next provider) and `do_tick` (the worker).
Each locks the package row (`select_for_update`), rebuilds the engine's state
from its snapshot, calls the pure `engine.step`, and saves what came out — the new state,
the status columns, the request rows, the new timeline events, `next_due` for the worker
— and queues the effects as outbox notices, all inside one `transaction.atomic()`. Either
all of it is committed or none of it is (docs/architecture.md §6).

The same engine runs `carebroker simulate`; a package driven through these functions has
the timeline `simulate` gives for the same scenario (tests/sourcing/test_end_to_end.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction

from carebroker.audit.bulk import updated_in_bulk
from carebroker.engine import engine
from carebroker.engine.engine import StepResult
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
from carebroker.engine.market import Market
from carebroker.engine.result import plain
from carebroker.engine.state import Event, PackageState, Request
from carebroker.referrals.models import Referral as ReferralRow
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing import duty_due, effects, snapshot, waiting_from, working_time
from carebroker.sourcing.market_db import engine_package, market_of, redaction_words, view_of
from carebroker.sourcing.models import (
    EventSource,
    Package,
    PackageStatus,
    SourcingRequest,
    TimelineEvent,
)
from carebroker.sourcing.writes import Writes, claimed_copy, collecting

__all__ = [
    "AnswerOutcome",
    "NotStarted",
    "SourcingError",
    "Taken",
    "apply",
    "do_council",
    "do_referral",
    "do_tick",
    "locked",
    "plain",
    "record_answer",
    "state_of",
]

Council = Decision | AwardByHand | Hold | Release | PlacementChange | ConfirmView | ReviewOutcome


class SourcingError(ValueError):
    """An input the package cannot take now; the message says why."""


class NotStarted(SourcingError):
    """The package has no engine state yet (its referral was never checked here)."""


class Taken(StrEnum):
    """What became of a provider's answer."""

    RECORDED = "recorded"
    KEPT_LATE = "kept_late"  # late interest in a batch, kept (docs/policies.md §4.2)
    REFUSED = "refused"  # not counted; `AnswerOutcome.why` says why


@dataclass(frozen=True)
class AnswerOutcome:
    """A provider's answer as recorded: taken or not, why not, and the engine's step."""

    taken: Taken
    why: str = ""
    result: StepResult | None = None

    @property
    def counted(self) -> bool:
        return self.taken is not Taken.REFUSED


def locked(package: Package | int) -> Package:
    """The package row, locked for this transaction (call inside transaction.atomic())."""
    pk = package.pk if isinstance(package, Package) else package
    return (
        Package.objects.select_for_update(of=("self",))
        .select_related("council", "referral", "referral__referrer", "person", "area")
        .get(pk=pk)
    )


def state_of(row: Package) -> PackageState:
    """The engine state of a package row, rebuilt exactly from its snapshot."""
    if row.engine_state is None:
        raise NotStarted(f"package {row.case_number}: sourcing has not started (no engine state)")
    state = snapshot.load(row.engine_state)
    assert isinstance(state, PackageState)
    return state


# -- the inputs --------------------------------------------------------------------


def do_referral(package: Package | int, now: datetime) -> StepResult:
    """The referral is checked (docs/policies.md §5.1, §6.1): returned with exactly what is
    missing, or accepted and the package enters sourcing. A returned referral checked
    again (after more documents came) is read afresh from the referral row."""
    with transaction.atomic():
        row = locked(package)
        fresh = engine_package(row)
        if row.engine_state is None:
            state = engine.begin(fresh)
        else:
            state = state_of(row)
            if state.status != "returned":
                raise SourcingError(
                    f"package {row.case_number}: the referral was already accepted "
                    f"(the package is {state.status})"
                )
            state = replace(state, package=fresh)
        market = market_of(row.council)
        return apply(row, market, state, ReferralInput(now), now)


def record_answer(
    package: Package | int, answer: Answer, *, now: datetime | None = None
) -> AnswerOutcome:
    """A provider's answer, however it came (the portal, an email, a ticked return, a
    broker taking a call): the one way an answer reaches a package.

    In one transaction, the package's clocks first run up to the answer's time (what the
    worker's sweep would have done: a request past its deadline has expired, and the
    engine then refuses the answer, docs/policies.md §5.2), then the answer. `now` (default
    the answer's time) is when it is recorded; an answer given after `now` is refused.
    `answer.provider` is the provider row's primary key as text.
    """
    now = now or answer.at
    if answer.at > now:
        return AnswerOutcome(Taken.REFUSED, "an answer cannot be recorded before it was given")
    try:
        with transaction.atomic():
            row = locked(package)
            market = market_of(row.council)
            state = state_of(row)
            ticked = engine.step(market, state, Tick(answer.at))
            # Mostly no clock has run out (the answer came in time): then there is nothing
            # of the tick's to save, and the package row is written once, with the answer.
            if ticked.events or ticked.effects or ticked.state != state:
                save_step(row, market, state, ticked, now)
            result = apply(row, market, ticked.state, answer, now)
    except SourcingError as error:
        return AnswerOutcome(Taken.REFUSED, str(error))
    return _taken(result)


def _taken(result: StepResult) -> AnswerOutcome:
    types = {event.type: event for event in result.events}
    if "late_interest_kept" in types:
        return AnswerOutcome(Taken.KEPT_LATE, result=result)
    if "ignored" in types:
        why = str(types["ignored"].details.get("ignored") or "the engine did not take it")
        return AnswerOutcome(Taken.REFUSED, why, result)
    if "considering_refused" in types:  # docs/policies.md §5.2
        why = "a time to consider until must be before the requested start date"
        return AnswerOutcome(Taken.REFUSED, f"{why}; the request keeps its deadline", result)
    return AnswerOutcome(Taken.RECORDED, result=result)


def do_council(
    package: Package | int, signal: Council, *, now: datetime | None = None, actor: str = ""
) -> StepResult:
    """A council input: a gate decision, an approval, next provider, cancel, or what a
    broker does by hand (award, hold, release). `actor` (the user) is kept on the
    timeline rows the step writes."""
    now = now or signal.at
    with transaction.atomic():
        row = locked(package)
        return apply(row, market_of(row.council), state_of(row), signal, now, actor=actor)


def do_tick(package: Package | int, now: datetime) -> StepResult:
    """The time is `now`: every clock of the package due by then runs out."""
    with transaction.atomic():
        row = locked(package)
        return apply(row, market_of(row.council), state_of(row), Tick(now), now)


# -- saving a step -------------------------------------------------------------------


def apply(
    row: Package,
    market: Market,
    state: PackageState,
    signal: Input,
    now: datetime,
    *,
    actor: str = "",
    writes: Writes | None = None,
) -> StepResult:
    """Step the engine and save the result (the caller holds the row lock, in a transaction).
    With `writes` (the worker's batch) the rows are collected there, written by its flush."""
    outcome = engine.step(market, state, signal)
    save_step(row, market, state, outcome, now, actor=actor, writes=writes)
    return outcome


def save_step(
    row: Package,
    market: Market,
    before: PackageState,
    outcome: StepResult,
    now: datetime,
    *,
    actor: str = "",
    writes: Writes | None = None,
) -> None:
    """Persist one engine step: state, columns, requests, timeline, referral, notices.

    Row by row now, or with `writes` (the worker's batch, sourcing/writes.py) collected for
    one bulk write per table: the same rows either way."""
    claimed = claimed_copy(row)  # the row as read under its lock: the audit's "before"
    before_step = (row.status, row.referral.accepted_at)  # for the duties' moments, below
    after = outcome.state
    row.engine_state = snapshot.dump(after)
    row.status = "sourcing" if after.status == "new" else after.status
    row.stage = after.stage or ""
    row.gate = after.gate or ""
    row.awarded_provider_id = int(after.provider) if after.provider else None
    if after.awarded_at != row.awarded_at or (
        after.awarded_at is not None and row.working_time_to_award is None
    ):  # stored with the award for the dashboard (sourcing/working_time.py)
        row.working_time_to_award = working_time.to_award(
            market.calendar, row.referral.received_at, after.awarded_at
        )
    row.awarded_at = after.awarded_at
    row.held_reason = (after.held_reason or "")[:300]
    row.next_due = engine.next_due(after)  # None while held: its clocks wait
    if after.package != before.package:  # a review changed the package (engine/reviews.py)
        row.hours_per_week = after.package.hours_per_week or row.hours_per_week
        row.change_to_existing = after.package.change_to_existing
        current = after.package.current_provider
        row.current_provider_id = int(current) if current and current.isdigit() else None
    if row.provider_view is None and row.status != PackageStatus.RETURNED:
        # docs/policies.md §6.2: made on acceptance, without the words brokers removed
        row.provider_view = view_of(row.person, redaction_words(row))
    # The referral's acceptance first (rare, and audited: saved now, batch or not): the wait
    # starts from it (sourcing/waiting_from.py), stored with the step in this transaction.
    _referral_outcome(row.referral, outcome.events)
    row.waiting_from = waiting_from.advance(
        row.waiting_from,
        row.referral.accepted_at,
        [(str(event.type), event.at) for event in outcome.events],
    )
    events = _event_rows(row, outcome.events, EventSource.ENGINE, actor)
    # When the waiting-list and after-award duties next have work for it, where this step
    # moved that (sourcing/duty_due.py): with the step, in its transaction.
    pending = writes.pending_events(row) if writes is not None else []
    duty_due.keep(row, market.policy, market.calendar, before_step, [*pending, *events])
    if writes is None:
        # auditlog's signal would read the whole row again (its engine snapshot the largest
        # part) to compare; the row as locked is that row: the same entry, one read less.
        with disable_auditlog():
            row.save()
        updated_in_bulk([(claimed, row)])
        _save_requests(row, market, before.requests, after.requests)
        TimelineEvent.objects.bulk_create(events)
        effects.carry_out(row, market, after, outcome.effects, outcome.events, now)
        return
    writes.package(row, claimed)
    for seq, fields, new in _request_rows(market, before.requests, after.requests):
        writes.request(row, seq, fields, new)
    for event in events:
        writes.event(event)
    with collecting(writes):
        effects.carry_out(row, market, after, outcome.effects, outcome.events, now)


def _save_requests(
    row: Package, market: Market, before: Sequence[Request], after: Sequence[Request]
) -> None:
    for seq, fields, new in _request_rows(market, before, after):
        if new:
            SourcingRequest.objects.create(package=row, seq=seq, **fields)
        else:
            SourcingRequest.objects.filter(package=row, seq=seq).update(**fields)


def _request_rows(
    market: Market, before: Sequence[Request], after: Sequence[Request]
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(seq, columns, new) of each request row the step added or changed."""
    for seq, request in enumerate(after):
        if seq < len(before) and before[seq] == request:
            continue
        # the dashboard's time to answer, stored with the answer (sourcing/working_time.py)
        answer = working_time.to_answer(market.calendar, request.sent_at, request.responded_at)
        fields = {
            "provider_id": int(request.provider),
            "stage": request.stage,
            "round": request.round,
            "sent_at": request.sent_at,
            "deadline": request.deadline,
            "outcome": request.outcome,
            "responded_at": request.responded_at,
            "working_time_to_answer": answer,
            "rate": request.rate,
            "coverage": request.coverage or "",
            "start": request.start,
            "reason": (request.reason or "")[:300],
            "not_awarded": request.not_awarded or "",
            "late": request.late,
            "chased": request.chased,
        }
        yield seq, fields, seq >= len(before)


def append_events(
    row: Package,
    events: Sequence[Event],
    source: str = EventSource.ENGINE,
    actor: str = "",
) -> None:
    TimelineEvent.objects.bulk_create(_event_rows(row, events, source, actor))


def _event_rows(
    row: Package, events: Sequence[Event], source: str, actor: str
) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            package=row,
            at=event.at,
            type=event.type,
            details=plain(dict(event.details)),
            source=source,
            actor=actor,
        )
        for event in events
    ]


def _referral_outcome(referral: ReferralRow, events: Sequence[Event]) -> None:
    for event in events:
        if event.type == "referral_returned":
            referral.status = ReferralStatus.RETURNED
            referral.missing = [str(name) for name in event.details.get("missing", ())]  # type: ignore[attr-defined]
            referral.accepted_at = None
            referral.save(update_fields=["status", "missing", "accepted_at"])
        elif event.type == "referral_checked" and referral.status != ReferralStatus.ACCEPTED:
            # An adopted package's referral keeps the acceptance it was seeded with.
            referral.status = ReferralStatus.ACCEPTED
            referral.missing = []
            referral.accepted_at = event.at
            referral.save(update_fields=["status", "missing", "accepted_at"])
