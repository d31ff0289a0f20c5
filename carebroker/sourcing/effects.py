"""Carrying out the engine's effects: each becomes an outbox notice, queued in the caller's
transaction (docs/architecture.md §6).

Notice keys name the cause: kind, package, recipient, and the effect's place in the
package's history (`<events before the step>.<effect index>`), so every notice of a step
has its own key and a step redone after a rollback makes the same keys. Waiting-list
escalations are keyed by level alone (`escalation:<Mosaic ID>:amber`): the worker duty
and the engine may both raise one, and it must be sent once. Batch interest requests and
open-market listings are not mailed one by one: the daily batch report and the Available
Packages list carry them (exchange/provider_lists.py).

Who gets it (an effect's `to`): a provider id is the provider's main contact (Kent's
decline acknowledgement copies its senior contact, docs/policies.md §5.2); "referrer" is the
referral's referrer, else the council's brokers; any other role ("manager", "broker") is
the council's users of that role, else its brokers. With no address at all the notice
cannot be queued: a worker event `notice_not_sent` says so on the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from carebroker.accounts.models import Role, User
from carebroker.engine import handbacks, reviews
from carebroker.engine.market import Market
from carebroker.engine.placement import start_of
from carebroker.engine.state import Effect, Event, PackageState, Request
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.outbox.notices import PendingNotice, queue_notice
from carebroker.providers.declines import decline_words
from carebroker.providers.models import Contact, ContactRole, Provider
from carebroker.referrals.models import Document
from carebroker.sourcing import writes
from carebroker.sourcing.models import EventSource, Package, TimelineEvent

K = NoticeKind
GATE_NOTICES = {"part_offer": K.HOLD_PART_OFFER, "unable_to_fill": K.HOLD_UNABLE_TO_FILL}
# What a manager is asked at each gate (approval_needed `decision`).
GATE_DECISIONS = {
    "non_contracted_approval": "whether to approach non-contracted providers",
    "sanction_approval": "whether to approach a provider under a sanction",
    "later_start": "whether to accept a later start date a provider offered",
    "mini_competition": "which provider wins the mini-competition (an exact price tie)",
    "open_market_choice": "which open-market proposal to accept",
}


Attachment = tuple[str, bytes, str]  # (filename, content, content type)
Paperwork = Callable[[Package, str, Mapping[str, Any], datetime], list[Attachment]]
_PAPERWORK: dict[str, Paperwork] = {}


def add_paperwork(kind: str, make: Paperwork) -> None:
    """Say how the documents sent with a notice of `kind` are made and kept
    (`make(package, to, context, now)` -> its attachments). The placements app, a layer
    above this one, tells it from its AppConfig.ready (docs/architecture.md §3: a lower
    layer that needs a higher one to act is told by it)."""
    _PAPERWORK[str(kind)] = make


def hours(amount: Decimal) -> str:
    """Hours as people write them: 14, 7.5 (the column keeps two places: 14.00)."""
    return f"{amount.normalize():f}"


def stamp(at: datetime) -> str:
    """An instant in a notice key: UTC, to the second."""
    return f"{at.timestamp():.0f}"


def carry_out(
    row: Package,
    market: Market,
    state: PackageState,
    effects: Sequence[Effect],
    events: Sequence[Event],
    now: datetime,
) -> int:
    """Queue the notices of one step's effects; returns how many were queued."""
    at = events[-1].at if events else now
    # The step's place in the package's history (events before it) and the effect's place
    # in the step name each notice uniquely and the same way if the step is ever redone.
    step = len(state.events) - len(events)
    queued = 0
    for index, effect in enumerate(effects):
        queued += _one(row, market, state, effect, Cause(f"{step}.{index}", at), now)
    return queued


@dataclass(frozen=True)
class Cause:
    """Where an effect came from: its step and place (`tag`), and the step's time."""

    tag: str
    at: datetime


def _one(
    row: Package, market: Market, state: PackageState, effect: Effect, cause: Cause, now: datetime
) -> int:
    details = effect.details
    case = row.case_number
    to = effect.to or ""
    if effect.kind == "send_request":
        return _request(row, market, state, effect, cause, now)
    if effect.kind == "withdraw":
        key = f"withdrawn:{case}:{to}:{cause.tag}"
        return notify(row, to, K.REQUEST_WITHDRAWN, key, {"reason": "placed elsewhere"}, now)
    if effect.kind == "award":
        rate = _award_rate(state)
        context = {"start": agreed_start(row, state), "hourly_rate": rate}
        return notify(row, to, K.AWARD, f"award:{case}:{to}:{cause.tag}", context, now)
    if effect.kind == "return_referral":
        missing = [str(name) for name in details.get("missing", ())]  # type: ignore[attr-defined]
        labels = [Document(name).label if name in Document.values else name for name in missing]
        context = {"missing": labels, "received_at": row.referral.received_at}
        cc = "manager" if details.get("copy_manager") else None
        key = f"referral_returned:{case}:{cause.tag}"
        return notify(row, "referrer", K.REFERRAL_RETURNED, key, context, now, cc_role=cc)
    if effect.kind == "raise_gate":
        return _gate(row, state, effect, cause, now)
    if effect.kind == "send_notice":
        return _notice(row, market, state, effect, cause, now)
    _not_sent(row, now, f"no notice for the effect {effect.kind!r}", effect)
    return 0


def _request(
    row: Package, market: Market, state: PackageState, effect: Effect, cause: Cause, now: datetime
) -> int:
    stage = market.policy.stage(str(effect.details["stage"]))
    round_ = str(effect.details["round"])
    if (stage.kind, round_) in (("batch", "interest"), ("open_market", "offer")):
        return 0  # on the batch report or the Available Packages list (exchange/provider_lists.py)
    key = f"request:{row.case_number}:{effect.to}:{stage.name}:{round_}:{cause.tag}"
    deadline = effect.details["deadline"]
    view = row.provider_view or {}
    if stage.kind == "batch":  # the offer round: the ISP goes out (docs/policies.md §4.2)
        return notify(
            row, effect.to or "", K.ISP_SENT, key, {"deadline": deadline, "view": view}, now
        )
    context = {
        "round": round_,
        "deadline": deadline,
        "hours_per_week": hours(row.hours_per_week),
        "preferred_start": row.preferred_start,
        "area": row.area.name,
        "urgent": market.is_urgent(state.package),
        "view": view,
    }
    return notify(row, effect.to or "", K.REQUEST_SENT, key, context, now)


def _gate(row: Package, state: PackageState, effect: Effect, cause: Cause, now: datetime) -> int:
    gate = str(effect.details.get("gate"))
    key = f"gate:{row.case_number}:{gate}:{cause.tag}"
    names = _provider_names(row)
    if gate == "part_offer":
        offers = [
            {"provider": names.get(r.provider, r.provider),
             "hours_per_week": f"part of the {hours(row.hours_per_week)}", "hourly_rate": r.rate}
            for r in state.requests
            if r.outcome == "offer" and r.coverage == "part"
        ]  # fmt: skip
        context: dict[str, Any] = {"hours_per_week": hours(row.hours_per_week), "offers": offers}
        return notify(row, effect.to or "referrer", K.HOLD_PART_OFFER, key, context, now)
    if gate == "unable_to_fill":
        reasons = [
            {"provider": names.get(r.provider, r.provider), "reason": r.reason or r.outcome}
            for r in state.requests
            if r.outcome in ("decline", "expired")
        ]
        return notify(
            row, effect.to or "referrer", K.HOLD_UNABLE_TO_FILL, key, {"reasons": reasons}, now
        )
    provider = effect.details.get("provider")
    reason = f"Provider: {names.get(str(provider), provider)}." if provider else ""
    context = {"decision": GATE_DECISIONS.get(gate, gate.replace("_", " ")), "reason": reason}
    return notify(row, effect.to or "manager", K.APPROVAL_NEEDED, key, context, now)


def _notice(
    row: Package, market: Market, state: PackageState, effect: Effect, cause: Cause, now: datetime
) -> int:
    details = effect.details
    name = str(details.get("notice"))
    # The engine names its notices by their kind (engine/vocabulary.py NoticeKind).
    kind = K(name) if name in K.values else None
    to = effect.to or ""
    case = row.case_number
    if kind is None:
        _not_sent(row, now, f"no notice kind for {name!r}", effect)
        return 0
    key = f"{kind}:{case}:{to}:{cause.tag}"
    context: dict[str, Any] = {}
    cc_senior = False
    if kind == K.NOT_CHOSEN:
        context = {"code": details.get("code"), "reason": None}
    elif kind == K.DECLINE_ACKNOWLEDGEMENT:
        request = _last_request(state, to)
        context = {"reason": (request.reason if request else None) or "no reason given"}
        cc_senior = True  # docs/policies.md §5.2: copied to the provider's senior contact
    elif kind == K.QUERY_ANSWER:
        # §6.3 shares a provider's question with every provider approached, but only once a
        # broker has read it (issue 12 finding 10: a question carrying a price, a name and
        # a phone number went at once to every rival). The package page lists it; the
        # broker's answer sends the question, edited or not, with the answer
        # (sourcing/actions.py do_answer_query). Nothing goes out now.
        return 0
    elif kind == K.CHASE:
        request = _last_request(state, to)
        context = {"deadline": request.deadline if request else now}
    elif kind == K.HANDBACK:
        given = _handback_given(state)
        provider = str(given.get("provider") or "") or state.provider
        context = {
            "provider": _provider_name(row, provider),
            "reason": handbacks.reason_words(str(given.get("reason") or "")),
            "text": given.get("text"),
            # a handback with notice (docs/policies.md §5): the day care ends, the call due
            "ends": _local_date(details["ends"])
            if isinstance(details.get("ends"), datetime)
            else None,
            "call_by": details.get("call_by"),
        }
    elif kind == K.FILLED:
        to = "referrer"
        context = {
            "provider": _provider_name(row, effect.to),
            "start": agreed_start(row, state),
        }
    elif kind == K.NOT_PLACED:
        names = _provider_names(row)
        context = {"reasons": _decline_reasons(state, names)}
    elif kind == K.START_AGREED:
        start = details.get("start")
        enablement = row.council.enablement_team_email if row.referral.from_enablement else ""
        context = {
            "provider": _provider_name(row, state.provider),
            "start": date.fromisoformat(str(start)) if start else agreed_start(row, state),
            # Kent (sourcing/after_award.py): the call times, and the enablement team told
            "call_times": details.get("call_times"),
            "from_enablement": bool(row.referral.from_enablement),
            "enablement_team_told": bool(enablement),
        }
        sent = notify(row, to, kind, key, context, now)
        if enablement:
            sent += _tell_enablement_team(row, enablement, key, context, now)
        return sent
    elif kind == K.REVIEW_OUTCOME:
        context = _review_context(row, state)
    elif kind == K.ESCALATION:
        rag = str(details.get("rag"))
        return escalate(row, market.calendar, rag, cause.at, now, to=to or "manager")
    return notify(row, to, kind, key, context, now, cc_senior=cc_senior)


def escalate(
    row: Package,
    calendar: WorkingCalendar,
    level: str,
    at: datetime,
    now: datetime,
    to: str = "manager",
) -> int:
    """The waiting-list escalation notice; one per package and level (docs/policies.md §5),
    and one more per level each time a handback restarts the package's waiting clock."""
    accepted = row.referral.accepted_at or row.referral.received_at
    restarted = (
        TimelineEvent.objects.filter(package=row, type="returned_to_list")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    batch = writes.active()
    if batch is not None:  # this step's events are not written yet (sourcing/writes.py)
        pending = [e.at for e in batch.pending_events(row) if e.type == "returned_to_list"]
        restarted = max([*pending, *([restarted] if restarted else [])], default=None)
    key = f"escalation:{row.case_number}:{level}"
    context: dict[str, Any] = {"level": level, "accepted_at": accepted}
    start = accepted
    if restarted is not None and restarted > accepted:
        start = restarted
        key = f"{key}:{stamp(restarted)}"
        context = {"level": level, "handed_back_at": restarted}
    grace = _grace_end(row)
    if grace is not None and grace > start:
        # docs/policies.md §5 Self-funders: the wait counts from the grace end, as the clock
        start = grace
        context = {"level": level, "grace_ended_at": grace}
    days = calendar.working_days_between(_local_date(start), _local_date(at))
    return notify(row, to, K.ESCALATION, key, {**context, "days_waiting": days}, now)


def _grace_end(row: Package) -> datetime | None:
    ends = (
        TimelineEvent.objects.filter(package=row, type="self_funder_grace")
        .values_list("details__grace_ends", flat=True)
        .first()
    )
    return datetime.fromisoformat(str(ends).replace("Z", "+00:00")) if ends else None


def _local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


# -- recipients ----------------------------------------------------------------


def notify(
    row: Package,
    to: str,
    kind: str,
    key: str,
    context: Mapping[str, Any],
    now: datetime,
    *,
    cc_role: str | None = None,
    cc_senior: bool = False,
) -> int:
    """Queue one notice of `kind` to `to` (a provider id or a role); 1 if queued."""
    addresses, greeting, senior = _recipients(row, to)
    if not addresses:
        _not_sent(row, now, f"no email address for {to}", None, kind=kind)
        return 0
    cc = senior if cc_senior else []
    if cc_role:
        cc = cc + [a for a in _role_addresses(row, cc_role)[0] if a not in addresses]
    attachments: list[Attachment] = []
    make = _PAPERWORK.get(str(kind))
    batch = writes.active()
    if make is None and batch is not None:
        # The worker's batch: checked now (a bad notice fails this package alone), written
        # with the batch's other notices in one go.
        batch.notice(
            PendingNotice.checked(
                council=row.council,
                kind=kind,
                key=key[:200],
                to=addresses,
                cc=cc,
                context={"recipient": greeting, **context},
                package=row,
                now=now,
            )  # fmt: skip
        )
        return 1
    if make is not None and not Notice.objects.filter(council=row.council, key=key[:200]).exists():
        # The documents are made when their notice is first queued, kept with the package
        # and attached (issue 11: paperwork issued, not just made); a notice already queued
        # keeps its own.
        attachments = make(row, to, context, now)
    queue_notice(
        council=row.council,
        kind=kind,
        key=key[:200],
        to=addresses,
        cc=cc,
        context={"recipient": greeting, **context},
        package=row,
        now=now,
        attachments=attachments,
    )
    return 1


def _tell_enablement_team(
    row: Package, address: str, key: str, context: Mapping[str, Any], now: datetime
) -> int:
    """The start date to the council's enablement team too (Kent, docs/policies.md §5 After
    acceptance: "the enablement team where the person came from enablement")."""
    queue_notice(
        council=row.council,
        kind=K.START_AGREED,
        key=f"{key}:enablement"[:200],
        to=[address],
        context={**context, "recipient": "enablement team", "to_enablement_team": True},
        package=row,
        now=now,
    )
    return 1


def _recipients(row: Package, to: str) -> tuple[list[str], str, list[str]]:
    if to.isdigit():
        contacts = writes.remembered(
            ("contacts", int(to)),
            lambda: list(Contact.objects.filter(provider_id=int(to)).order_by("pk")),
        )
        main = [c for c in contacts if c.role == ContactRole.MAIN] or contacts[:1]
        senior = [c.email for c in contacts if c.role == ContactRole.SENIOR]
        greeting = main[0].name if main else "colleague"
        return [c.email for c in main], greeting, senior
    if to == "referrer":
        referrer = row.referral.referrer
        if referrer is not None and referrer.email:
            # Never a login name ("Dear kent-referrer"): the name, or "colleague".
            return [referrer.email], referrer.get_full_name() or "colleague", []
        to = Role.BROKER  # no referrer on record: the brokerage team passes it on
    addresses, greeting = _role_addresses(row, to)
    return addresses, greeting, []


def _role_addresses(row: Package, role: str) -> tuple[list[str], str]:
    for wanted in (role, Role.BROKER):
        users = writes.remembered(
            ("users", row.council_id, wanted), partial(_active_users, row.council_id, wanted)
        )
        emails = sorted({u.email for u in users if u.email})
        if emails:
            return emails, "colleague" if len(emails) > 1 else _name(users, emails[0])
    return [], ""


def _active_users(council_id: int, role: str) -> list[User]:
    return list(User.objects.filter(council_id=council_id, role=role, is_active=True))


def _name(users: Any, email: str) -> str:
    user = next(u for u in users if u.email == email)
    return str(user.get_full_name() or "colleague")


def _not_sent(
    row: Package, now: datetime, why: str, effect: Effect | None, kind: str | None = None
) -> None:
    details: dict[str, object] = {"why": why}
    if kind:
        details["kind"] = kind
    if effect is not None:
        details["effect"] = effect.kind
    event = TimelineEvent(
        package=row, at=now, type="notice_not_sent", details=details, source=EventSource.WORKER
    )
    batch = writes.active()
    if batch is not None:
        batch.event(event)
    else:
        event.save()


# -- reading the state -----------------------------------------------------------


def _last_request(
    state: PackageState, provider: str, stage: str | None = None, round_: str | None = None
) -> Request | None:
    for request in reversed(state.requests):
        if (
            request.provider == provider
            and stage in (None, request.stage)
            and round_
            in (
                None,
                request.round,
            )
        ):
            return request
    return None


def agreed_start(row: Package, state: PackageState) -> date | None:
    """The start date agreed with the winner (engine/placement.py `start_of`)."""
    return start_of(state.events, row.preferred_start)


def _award_rate(state: PackageState) -> object:
    for event in reversed(state.events):
        if event.type == "award":
            return event.details.get("rate")
    return None


def _decline_reasons(state: PackageState, names: Mapping[str, str]) -> list[dict[str, str]]:
    """Each provider's answer that was not a yes, in words (an expired request: no answer)."""
    return [
        {
            "provider": names.get(r.provider, r.provider),
            "reason": "no answer in time" if r.outcome == "expired" else decline_words(r.reason),
        }
        for r in state.requests
        if r.outcome in ("decline", "expired")
    ]


def _review_context(row: Package, state: PackageState) -> dict[str, Any]:
    """The referrer's review outcome notice: the last review, in words (engine/reviews.py)."""
    review = next(e for e in reversed(state.events) if e.type == "reviewed")
    details = review.details
    new_hours = details.get("hours_per_week")
    return {
        "outcome": reviews.OUTCOMES[str(details["outcome"])].lower(),
        "next_step": " ".join(
            part
            for part in (
                f"The new hours are {hours(Decimal(str(new_hours)))} hours a week."
                if new_hours
                else "",
                f"Notes from the review: {details['reason']}" if details.get("reason") else "",
            )
            if part
        )
        or None,
    }


def _handback_given(state: PackageState) -> Mapping[str, object]:
    """What the provider said with its last handback (at once, or with notice)."""
    for event in reversed(state.events):
        if event.type in ("handback", "handback_notice"):
            return event.details
    return {}


def _provider_name(row: Package, provider: str | None) -> str | None:
    if not provider or not provider.isdigit():
        return provider
    name = Provider.objects.filter(council_id=row.council_id, pk=int(provider)).values("name")
    return next((r["name"] for r in name), provider)


def _provider_names(row: Package) -> dict[str, str]:
    return {
        str(pk): name
        for pk, name in Provider.objects.filter(council_id=row.council_id).values_list("pk", "name")
    }
