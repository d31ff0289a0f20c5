"""Handbacks still to act on (docs/policies.md §5 Handbacks; issue 11), for the Today page.

- **The call after several packages are handed back with notice**: the engine writes a
  `handback_call_due` event (the Area Support Manager calls the provider within 24 hours).
  It is open until a broker or manager records the call as held on the package page
  (`do_record_handback_call`, a `handback_call_held` event of the shell, with who). One call
  covers every package of that provider's notice, so recording it clears them all.
- **A package handed back and not placed again**: its latest `handback` is later than its
  latest `award`, and it is neither closed nor cancelled. It is sourced again (the engine
  returns it to the list), so it clears when it is awarded again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebroker.accounts.models import User
from carebroker.engine.vocabulary import EventType, PackageStatus
from carebroker.sourcing.actions import check_staff
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import locked

TYPES = (
    EventType.AWARD,
    EventType.HANDBACK,
    EventType.HANDBACK_NOTICE,
    EventType.HANDBACK_CALL_DUE,
    EventType.HANDBACK_CALL_HELD,
)
"""The timeline rows these tasks are read from."""
ENDED = (PackageStatus.CLOSED, PackageStatus.CANCELLED)


@dataclass(frozen=True)
class CallDue:
    """The manager's call with a provider that handed several packages back."""

    provider: str  # the provider's id, as on the timeline
    due: datetime


def _moment(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def open_call(rows: Iterable[Any]) -> CallDue | None:
    """The package's call still to hold, from its timeline rows in order; None if none."""
    found: CallDue | None = None
    provider = ""
    for row in rows:
        if row.type == EventType.HANDBACK_NOTICE:
            provider = str(row.details.get("provider") or "")
        elif row.type == EventType.HANDBACK_CALL_DUE and row.details.get("due"):
            found = CallDue(provider, _moment(row.details["due"]))
        elif row.type == EventType.HANDBACK_CALL_HELD:
            found = None
    return found


def handed_back_at(rows: Iterable[Any], status: str) -> datetime | None:
    """When the package was handed back, while it is not placed again; else None."""
    if status in ENDED:
        return None
    handed_back: datetime | None = None
    for row in rows:
        if row.type == EventType.HANDBACK:
            handed_back = row.at
        elif row.type == EventType.AWARD:
            handed_back = None
    return handed_back


def do_record_handback_call(user: User, package: Package, now: datetime) -> list[str]:
    """Record the call with the provider as held: clears the call on each package of that
    provider's notice still waiting for it. Returns their Mosaic IDs; ValidationError when
    this package has no call to hold."""
    check_staff(user, package)
    with transaction.atomic():
        row = locked(package)
        call = open_call(row.timeline.filter(type__in=TYPES).order_by("at", "pk"))
        if call is None:
            raise ValidationError(
                {"call": f"Package {row.case_number} has no call with a provider to record"}
            )
        cleared = []
        waiting = TimelineEvent.objects.filter(
            package__council_id=row.council_id, type=EventType.HANDBACK_CALL_DUE
        ).values_list("package_id", flat=True)
        for other in Package.objects.filter(pk__in=waiting).order_by("case_number"):
            rows = other.timeline.filter(type__in=TYPES).order_by("at", "pk")
            found = open_call(rows)
            if found is None or found.provider != call.provider:
                continue
            TimelineEvent.objects.create(
                package=other,
                at=now,
                type=EventType.HANDBACK_CALL_HELD,
                details={"provider": call.provider} if call.provider else {},
                source=EventSource.COUNCIL,
                actor=user.get_username(),
            )
            cleared.append(other.case_number)
    return cleared
