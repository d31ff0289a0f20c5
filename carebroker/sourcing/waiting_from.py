"""When a package started waiting, stored with the step that starts the wait (docs/policies.md
§5 Waiting list, Self-funders leaving enablement, Handbacks).

The waiting list's filters, counts and sort (web/waiting_days.py, the waiting page, the broker's
list, reports/figures.py's "waiting list by RAG", Kent's 10-day report in reports/kent.py)
read `Package.waiting_from` instead of the referral's acceptance, because the wait does not
always start at the acceptance:

- a referral checked (accepted): the wait starts at the acceptance (an adopted package's
  referral keeps the acceptance it was seeded with, and so does its wait);
- a self-funder leaving enablement (Kent): no wait during the grace (null: not on the
  waiting list, never counted), then a wait from the moment the grace ends (`grace_ended`,
  later than the `grace_ends` first announced if a broker held the package meanwhile);
- a package handed back (`returned_to_list`): the wait starts again from the handback;
- a referral returned to the referrer: no wait (null) until it is checked again.

Null means the package is not waiting, and never was since its last acceptance. A placed or
ended package keeps the start of its last wait: "waiting at a past moment" (the dashboard's
weeks) is "started before it and not placed by then".

The one write path (`runner.save_step`, row by row or through the worker's bulk `Writes`)
folds each step's events into the stored value (`advance`), in the same transaction. Rows
written around it (the demo caseload's bulk load, tests' hand-built rows) are given it by
`refill`, which is also the check: migration 0014 ran it over every row, and `carebroker
waiting-from [--fix]` compares what is stored with the same fold from the acceptance over the
package's whole timeline (`from_scratch`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from carebroker.engine.vocabulary import EventType
from carebroker.sourcing.working_time import CHUNK, _update

# The events that start, stop or restart a wait; no other event moves it.
CHECKED = str(EventType.REFERRAL_CHECKED)
RETURNED = str(EventType.REFERRAL_RETURNED)
GRACE = str(EventType.SELF_FUNDER_GRACE)
GRACE_ENDED = str(EventType.GRACE_ENDED)
BACK_ON_LIST = str(EventType.RETURNED_TO_LIST)
MOVES = (CHECKED, RETURNED, GRACE, GRACE_ENDED, BACK_ON_LIST)


def advance(
    start: datetime | None, accepted: datetime | None, events: Iterable[tuple[str, datetime]]
) -> datetime | None:
    """The wait's start after `events` (type, at; in the order they happened), from `start`
    before them; `accepted` is the referral's acceptance once the events are saved."""
    for kind, at in events:
        if kind == CHECKED:
            start = accepted
        elif kind in (GRACE, RETURNED):
            start = None  # in a self-funder's grace, or back with the referrer: not waiting
        elif kind in (GRACE_ENDED, BACK_ON_LIST):
            start = at
    return start if accepted is not None else None


def from_scratch(
    accepted: datetime | None, events: Iterable[tuple[str, datetime]]
) -> datetime | None:
    """The wait's start worked out from the acceptance and the package's whole timeline. A
    package seeded as accepted (no `referral_checked` on its timeline) waits from its
    acceptance, as the lists counted it before the column."""
    return advance(accepted, accepted, events)


@dataclass
class Refill:
    """What a from-scratch computation found: packages checked, the case numbers of those
    whose stored start differed, and councils skipped (none yet: no calendar is needed)."""

    packages: int = 0
    wrong: list[str] = field(default_factory=list)


def refill(
    *,
    fix: bool,
    council_model: Any = None,
    package_model: Any = None,
    event_model: Any = None,
    councils: Any = None,
) -> Refill:
    """Work out every package's `waiting_from` from scratch and compare (and, with `fix`,
    store the computed value where it differs). The models are parameters so that migration
    0014 runs the same code on its historical models."""
    if council_model is None:
        from carebroker.councils.models import Council as council_model
        from carebroker.sourcing.models import Package as package_model
        from carebroker.sourcing.models import TimelineEvent as event_model
    found = Refill()
    chosen = councils if councils is not None else council_model.objects.order_by("pk")
    for council in chosen:
        rows = package_model.objects.filter(council=council).order_by("pk")
        last = 0
        while True:
            chunk = list(
                rows.filter(pk__gt=last).values_list(
                    "pk", "case_number", "referral__accepted_at", "waiting_from"
                )[:CHUNK]
            )
            if not chunk:
                break
            last = chunk[-1][0]
            timelines: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
            for pk, kind, at in (
                event_model.objects.filter(package_id__in=[row[0] for row in chunk], type__in=MOVES)
                .order_by("package_id", "at", "pk")
                .values_list("package_id", "type", "at")
            ):
                timelines[pk].append((kind, at))
            changed = []
            for pk, case, accepted, stored in chunk:
                found.packages += 1
                wanted = from_scratch(accepted, timelines.get(pk, ()))
                if wanted != stored:
                    found.wrong.append(case)
                    changed.append((pk, wanted))
            if fix and changed:
                _update(package_model, "waiting_from", changed)
    return found
