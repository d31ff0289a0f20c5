"""The placement after the award on the database (engine/placement.py): what it is now, in
words, and the worker's duty that starts a confirmed placement when its start date arrives.

A placement's start, review and end are engine inputs (`PlacementChange`) through the one
write path (`runner.do_council`), so `simulate` replays them from a scenario. The worker is
the one that records `start` when nobody else did: at its first sweep on or after the
agreed start date (London), with the actor "worker" on the timeline row. A scenario says
the same with a scripted `start` (docs/scenarios.md); the engine has no clock of its own
for it, so a scenario written before the placement states prints what it printed before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef

from carebroker.councils.models import Council
from carebroker.engine.inputs import PlacementChange
from carebroker.engine.placement import Placement, agreed_start, label_of, placement_of, start_of
from carebroker.engine.vocabulary import DecisionAction, EventType
from carebroker.lib.london import LONDON
from carebroker.sourcing import runner
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package, PackageStatus, TimelineEvent

logger = logging.getLogger(__name__)

WORKER = "worker"  # the actor of a start the worker records


@dataclass(frozen=True)
class PlacementSummary:
    """The placement as the package page shows it."""

    state: Placement
    start: date | None
    call_times: str
    reason: str  # why it ended, or was handed back
    confirms: bool = True  # the policy has a confirmation step (Kent)

    @property
    def label(self) -> str:
        return label_of(self.state, self.confirms)


def placement_summary(package: Package) -> PlacementSummary | None:
    """The package's placement from its timeline; None before any award."""
    rows = list(
        TimelineEvent.objects.filter(package=package).order_by("id").only("type", "details", "at")
    )
    state = placement_of(rows)
    if state is None:
        return None
    call_times, reason = "", ""
    for row in rows:
        if row.type == EventType.CONFIRMED:
            call_times = str(row.details.get("call_times") or "")
        elif row.type in (EventType.PLACEMENT_ENDED, EventType.HANDBACK):
            reason = str(row.details.get("reason") or "")
    if policy_of(package.council).after_acceptance is not None:
        return PlacementSummary(state, agreed_start(rows), call_times, reason)
    start = start_of(rows, package.preferred_start)
    return PlacementSummary(state, start, call_times, reason, confirms=False)


def start_placements(now: datetime) -> list[str]:
    """Worker duty: every placement whose agreed start date has come, started. Where the
    policy has a confirmation step (Kent) the placement must be confirmed first; where it
    has none (Essex, Leicestershire) the award agreed the start (engine/placement.py).
    Council by council: one whose policy cannot be loaded is reported and the others go on."""
    today = now.astimezone(LONDON).date()
    confirmed = TimelineEvent.objects.filter(package=OuterRef("pk"), type=EventType.CONFIRMED)
    lines = []
    for council in Council.objects.order_by("pk"):
        try:
            confirms = policy_of(council).after_acceptance is not None
        except Exception:  # one council's broken policy must not stop the others
            logger.exception("the policy of council %s cannot be loaded", council.slug)
            lines.append(
                f"placements: {council.name}: none started, its policy cannot be loaded "
                "(see the log)"
            )
            continue
        candidates = Package.objects.filter(council=council, status=PackageStatus.AWARDED)
        if confirms:
            candidates = candidates.filter(Exists(confirmed))
        ready = {Placement.CONFIRMED} if confirms else {Placement.AWARDED, Placement.CONFIRMED}
        for package in (
            candidates.exclude(engine_state__isnull=True).defer("engine_state").order_by("pk")
        ):
            rows = list(package.timeline.order_by("id").only("type", "details", "at"))
            start = start_of(rows, package.preferred_start)
            if placement_of(rows) not in ready or start is None or start > today:
                continue
            change = PlacementChange(at=now, actor=WORKER, action=DecisionAction.START)
            result = runner.do_council(package, change, now=now, actor=WORKER)
            if any(event.type == EventType.PLACEMENT_STARTED for event in result.events):
                lines.append(f"package {package.case_number}: care started ({start.isoformat()})")
    return lines
