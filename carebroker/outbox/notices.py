"""Queueing notices: the one way to write an email (docs/architecture.md §6).

A `do_*` function changes data inside a transaction and calls `queue_notice` in that same
transaction, so the notice is committed with the change that caused it or not at all::

    with transaction.atomic():
        package.save()
        queue_notice(council=..., kind=NoticeKind.AWARD, key=f"award:{package.case_number}:P3",
                     to=[contact.email], context={...}, package=package, now=now)

The `key` names the cause ("award:M1001:P3"); queueing a key the council already has
returns the existing notice, so a retried state change never queues twice.

Files travel with a notice as `attachments=[(filename, bytes, content_type)]` (the batch
report's .xlsx), written as `NoticeAttachment` rows in the same transaction and attached
by the delivery.

Each kind renders `templates/notices/<kind>.txt`: the first line is "Subject: ...", the rest
is the plain-text body; an HTML alternative is made from it (`notices/email.html`).
What a template may show is only what its context holds: a provider's notice gets the
provider view (docs/policies.md §6.2), never the full record. Every context has `recipient`
(the name to greet) plus the keys of its kind in CONTEXT_KEYS; queue_notice adds `council`
(the council's name) and `mosaic_id` (the package's case number, or `mosaic_id` given in
the context when there is no package yet). Times (`deadline`, ...) must be aware datetimes;
templates show them in London local time ("10:00 on Monday 23 November 2026").

Context keys by kind (optional ones in brackets):

- batch_report (provider): packages, area, deadline. `packages`: provider-view rows
  {mosaic_id, district, hours_per_week, preferred_start, [support_type], [urgent],
  [target_supply_area], [enhanced_rate]}. No Mosaic ID of its own: it lists many.
- open_market_list (provider): packages (rows as above), [issued_on].
- request_sent (provider): round ("interest" or "offer"), deadline, hours_per_week,
  preferred_start, area, [urgent], [view] (the provider view dict: name, dob, town,
  postcode, needs).
- isp_sent (provider): deadline, [view].
- chase (provider): deadline (the extended one), [sent_at].
- query_answer (every provider approached): question, answer (None: the question alone, the
  answer to follow, docs/policies.md §6.3), deadline.
- not_chosen (provider): [code] (Leics D1-D4), [reason].
- award (winning provider): start (the agreed start, or None while it is still to be
  agreed: never the preferred start once past), [hourly_rate], [next_steps].
- request_withdrawn (provider): [reason].
- decline_acknowledgement (provider, Kent: senior contact copied): reason.
- referral_returned (referrer, Leics: manager copied): missing (labels of what is missing),
  [received_at].
- approval_needed (manager): decision (what must be decided), [reason].
- hold_part_offer (allocated worker): hours_per_week, offers: [{provider, hours_per_week,
  [hourly_rate]}].
- hold_unable_to_fill (allocated worker): reasons: [{provider, reason}].
- off_framework_notice (allocated worker): nothing more.
- filled (allocated worker): provider, start (the agreed start, or None).
- escalation (manager or team): level ("amber" or "red"), days_waiting, [accepted_at], or
  [handed_back_at] when a handback restarted the waiting clock.
- handback (area support manager): provider, reason (in words), [text], and for a handback
  with notice (docs/policies.md §5) [ends] (the day care ends) and [call_by] (the call due).
- step_overdue (purchasing officer, then area support manager): step (in words), due,
  [escalated] (sourcing/after_award.py).
- report (managers): title, period (in words), lines (a few lines of its figures); the
  report itself travels as an .xlsx attachment. No Mosaic ID of its own.
- capacity_reminder (provider): area, until (a date);
  a declaration past its day (docs/policies.md §8). No Mosaic ID of its own.
Referrers kept informed (issue 11), each in the council's voice (below):

- filled, handback: also to the referrer, in every preset.
- not_placed (referrer): reasons: [{provider, reason}] (in words), every stage ended.
- start_agreed (referrer): provider, start (a date).
- review_outcome (referrer): outcome (in words), [next_step].

A council speaks in its own words: `notices/<policy name>/<kind>.txt` (Kent's "package of
care", Essex's Service Placement Team), when there is one, is used before `notices/<kind>.txt`.

- ipa_countersigned (the winning provider): start (the start date checked), [countersigned]
  (the kept copy's id, for its attachment: placements/ipa_loop.py).
- service_delivery_order (the winning provider, Kent): start (the confirmed start),
  [call_times]; the SDO travels attached (placements/paperwork.py, sourcing/after_award.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import render_to_string, select_template

from carebroker.outbox.models import Notice, NoticeAttachment, NoticeKind

__all__ = [
    "CONTEXT_KEYS",
    "NoticeError",
    "OutsideTransaction",
    "PendingNotice",
    "queue_notice",
    "queue_notices",
    "render_notice",
]

K = NoticeKind
CONTEXT_KEYS: dict[str, tuple[str, ...]] = {
    K.BATCH_REPORT: ("packages", "area", "deadline"),
    K.OPEN_MARKET_LIST: ("packages",),
    K.REQUEST_SENT: ("round", "deadline", "hours_per_week", "preferred_start", "area"),
    K.ISP_SENT: ("deadline",),
    K.CHASE: ("deadline",),
    K.QUERY_ANSWER: ("question", "answer", "deadline"),
    K.NOT_CHOSEN: (),
    K.AWARD: ("start",),
    K.REQUEST_WITHDRAWN: (),
    K.DECLINE_ACKNOWLEDGEMENT: ("reason",),
    K.REFERRAL_RETURNED: ("missing",),
    K.APPROVAL_NEEDED: ("decision",),
    K.HOLD_PART_OFFER: ("hours_per_week", "offers"),
    K.HOLD_UNABLE_TO_FILL: ("reasons",),
    K.OFF_FRAMEWORK_NOTICE: (),
    K.FILLED: ("provider", "start"),
    K.ESCALATION: ("level", "days_waiting"),
    K.HANDBACK: ("provider", "reason"),
    K.STEP_OVERDUE: ("step", "due"),
    K.REPORT: ("title", "period", "lines"),
    K.CAPACITY_REMINDER: ("area", "until"),
    K.IPA_COUNTERSIGNED: ("start",),
    K.SERVICE_DELIVERY_ORDER: ("start",),
    K.NOT_PLACED: ("reasons",),
    K.START_AGREED: ("provider", "start"),
    K.REVIEW_OUTCOME: ("outcome",),
}
# A batch report or an open-market list covers many packages: no Mosaic ID of its own.
WITHOUT_PACKAGE = frozenset({K.BATCH_REPORT, K.OPEN_MARKET_LIST, K.REPORT, K.CAPACITY_REMINDER})
TIME_KEYS = ("deadline", "sent_at", "received_at", "accepted_at", "call_by", "handed_back_at")
# Context values a template branches on: anything else would read as the other branch.
CHOICES = {"round": ("interest", "offer"), "level": ("amber", "red")}


class NoticeError(ValueError):
    """A notice that cannot be queued; the message names the field and what is wrong."""


class OutsideTransaction(RuntimeError):
    """queue_notice was called outside a transaction (the notice would outlive a rollback)."""


def queue_notice(
    *,
    council: Any,
    kind: str,
    key: str,
    to: Iterable[str],
    cc: Iterable[str] = (),
    context: Mapping[str, Any],
    package: Any = None,
    now: datetime,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> Notice | None:
    """Render and write a notice in the caller's transaction; the same key twice is one notice.
    Returns the council's notice of that key (None: its notice was archived, and is never
    queued again).

    `attachments` are (filename, content, content type) files sent with it (the batch
    report's .xlsx); a key already queued keeps the attachments it was queued with.
    Raises OutsideTransaction outside `transaction.atomic()`, NoticeError on bad arguments.
    """
    _inside_transaction()
    pending = PendingNotice.checked(
        council=council, kind=kind, key=key, to=to, cc=cc, context=context, package=package,
        now=now,
    )  # fmt: skip
    files = _attachments(attachments)
    existing = Notice.objects.filter(council=council, key=pending.key).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: a concurrent transaction that queued the same key first must not
        # break the caller's transaction, only make this call return its notice.
        with transaction.atomic():
            notice = pending.rendered()
            notice.save()
            NoticeAttachment.objects.bulk_create(
                NoticeAttachment(notice=notice, filename=name, content=content, content_type=kind)
                for name, content, kind in files
            )
            return notice
    except IntegrityError:
        # Queued by another transaction meanwhile; on PostgreSQL the key may also belong to
        # a notice archived with its month (sourcing/partitions.py): taken all the same.
        return Notice.objects.filter(council=council, key=pending.key).first()


@dataclass(frozen=True)
class PendingNotice:
    """A notice checked and ready to render: what `queue_notices` writes in bulk (the
    worker's batches, sourcing/writes.py). Checked when made, so bad arguments fail the
    package that gave them, not the batch it is in."""

    council: Any
    kind: str
    key: str
    to: list[str]
    cc: list[str]
    context: dict[str, Any]
    package: Any
    now: datetime

    @classmethod
    def checked(
        cls,
        *,
        council: Any,
        kind: str,
        key: str,
        to: Iterable[str],
        cc: Iterable[str] = (),
        context: Mapping[str, Any],
        package: Any = None,
        now: datetime,
    ) -> PendingNotice:
        """Raises NoticeError on bad arguments, naming the field."""
        kind = _checked_kind(kind)
        if not key or len(key) > 200:
            raise NoticeError(f"key: must be 1 to 200 characters, not {key!r}")
        recipients = _addresses("to", to)
        if not recipients:
            raise NoticeError("to: at least one address is needed")
        copies = _addresses("cc", cc)
        if package is not None and package.council_id != council.pk:
            raise NoticeError(f"package: {package} belongs to another council")
        full = _full_context(kind, council, package, context)
        return cls(council, kind, key, recipients, copies, full, package, now)

    def rendered(self) -> Notice:
        """The unsaved Notice row, its subject and bodies rendered."""
        subject, body, html = render_notice(self.kind, self.context, voice=self.council.policy_name)
        return Notice(
            council=self.council,
            key=self.key,
            kind=self.kind,
            package=self.package,
            to=self.to,
            cc=self.cc,
            subject=subject,
            body=body,
            html=html,
            next_attempt_at=self.now,
            created_at=self.now,
        )


def queue_notices(pending: Iterable[PendingNotice]) -> int:
    """Write many notices in the caller's transaction, in bulk; returns how many were new.

    The same guarantee as `queue_notice`: a key the council already has (queued before, by
    another worker at the same moment, or twice in `pending`) stays one notice. Keys
    already queued are found in one query and not rendered again. A key another
    transaction commits meanwhile (or one of an archived notice, sourcing/partitions.py)
    makes the bulk insert fail on the unique key; the rows are then written one at a time,
    each in a savepoint, the taken keys left out. Not ON CONFLICT DO NOTHING: on PostgreSQL
    the key's uniqueness is kept by a trigger and a table of keys (outbox migration 0011),
    which ON CONFLICT does not see."""
    _inside_transaction()
    wanted: dict[tuple[int, str], PendingNotice] = {}
    for notice in pending:
        wanted.setdefault((notice.council.pk, notice.key), notice)
    if not wanted:
        return 0
    queued = set(
        Notice.objects.filter(
            council_id__in={council for council, _ in wanted}, key__in={key for _, key in wanted}
        ).values_list("council_id", "key")
    )
    rows = [notice.rendered() for place, notice in wanted.items() if place not in queued]
    try:
        with transaction.atomic():
            Notice.objects.bulk_create(rows, batch_size=500)
        return len(rows)
    except IntegrityError:
        pass
    made = 0
    for row in rows:
        row.pk, row._state.adding = None, True  # as before the rolled-back bulk insert
        try:
            with transaction.atomic():
                row.save()
            made += 1
        except IntegrityError:
            continue  # queued meanwhile: once only
    return made


def _inside_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        # docs/architecture.md §6: a notice is written with the change causing it, or not at all.
        raise OutsideTransaction(
            "queue_notice must run inside transaction.atomic(), with the change that caused it"
        )


def render_notice(kind: str, context: Mapping[str, Any], voice: str = "") -> tuple[str, str, str]:
    """(subject, text body, html body) of `notices/<kind>.txt` with a full context; in the
    council's own words, `notices/<voice>/<kind>.txt`, where it has them."""
    names = [f"notices/{voice}/{kind}.txt"] if voice else []
    template = select_template([*names, f"notices/{kind}.txt"])
    # Plain text: no HTML escaping ("Smith & Sons" stays so); the HTML part escapes.
    text = template.template.render(Context(dict(context), autoescape=False))
    first, _, rest = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise NoticeError(f"template notices/{kind}.txt: the first line must be 'Subject: ...'")
    subject = " ".join(first.removeprefix("Subject:").split())
    body = _tidy(rest)
    html = render_to_string(
        "notices/email.html",
        {"subject": subject, "body": body.strip(), "council": context["council"]},
    )
    return subject, body, html


def _checked_kind(kind: str) -> str:
    try:
        return NoticeKind(kind).value
    except ValueError:
        raise NoticeError(
            f"kind: {kind!r} is not a notice kind ({', '.join(NoticeKind.values)})"
        ) from None


def _addresses(field: str, addresses: Iterable[str]) -> list[str]:
    if isinstance(addresses, str):
        raise NoticeError(f"{field}: a list of addresses, not the string {addresses!r}")
    checked = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise NoticeError(f"{field}: {address!r} is not an email address") from None
        checked.append(address)
    return checked


def _attachments(attachments: Iterable[tuple[str, bytes, str]]) -> list[tuple[str, bytes, str]]:
    checked = []
    for position, attachment in enumerate(attachments, start=1):
        try:
            name, content, content_type = attachment
        except (TypeError, ValueError):
            raise NoticeError(
                f"attachments[{position}]: must be (filename, bytes, content type)"
            ) from None
        if not isinstance(name, str) or not name.strip() or len(name) > 255 or "/" in name:
            raise NoticeError(f"attachments[{position}]: a file name, not {name!r}")
        if not isinstance(content, bytes | bytearray):
            raise NoticeError(f"attachments[{position}] {name}: the content must be bytes")
        if not isinstance(content_type, str) or content_type.count("/") != 1:
            raise NoticeError(
                f"attachments[{position}] {name}: a content type like text/csv, "
                f"not {content_type!r}"
            )
        checked.append((name, bytes(content), content_type))
    return checked


def _full_context(
    kind: str, council: Any, package: Any, context: Mapping[str, Any]
) -> dict[str, Any]:
    needed = ("recipient", *CONTEXT_KEYS[kind])
    missing = [name for name in needed if name not in context]
    if kind not in WITHOUT_PACKAGE and package is None and "mosaic_id" not in context:
        missing.append("mosaic_id (or a package)")
    if missing:
        raise NoticeError(f"context of a {kind} notice: missing {', '.join(missing)}")
    for name in TIME_KEYS:
        value = context.get(name)
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise NoticeError(f"context {name}: must be a time zone aware datetime, not {value!r}")
    for name, allowed in CHOICES.items():
        if name in context and context[name] not in allowed:
            raise NoticeError(
                f"context {name}: must be {' or '.join(allowed)}, not {context[name]!r}"
            )
    full = {"council": council.name, **context}
    if package is not None:
        full["mosaic_id"] = package.case_number
        # The package's area team (Essex: the quadrant's Service Placement Team) signs it.
        area = package.area
        if area.team_email:
            full["team"] = {
                "name": area.team_name or "Service Placement Team",
                "email": area.team_email,
                "phone": area.team_phone,
            }
    return full


def _tidy(body: str) -> str:
    # Template tags leave blank runs; an email reads better with single blank lines.
    lines = [line.rstrip() for line in body.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
