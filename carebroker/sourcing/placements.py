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

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef

from carebroker.engine.inputs import PlacementChange
from carebroker.engine.placement import Placement, agreed_start, placement_of
from carebroker.engine.vocabulary import DecisionAction, EventType
from carebroker.lib.london import LONDON
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package, PackageStatus, TimelineEvent

WORKER = "worker"  # the actor of a start the worker records


@dataclass(frozen=True)
class PlacementSummary:
    """The placement as the package page shows it."""

    state: Placement
    start: date | None
    call_times: str
    reason: str  # why it ended, or was handed back

    @property
    def label(self) -> str:
        return self.state.label


def placement_summary(package: Package) -> PlacementSummary | None:
    """The package's placement from its timeline; None before any award."""
    rows = list(
        TimelineEvent.objects.filter(package=package).order_by("id").only("type", "details")
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
    return PlacementSummary(state, agreed_start(rows), call_times, reason)


def start_placements(now: datetime) -> list[str]:
    """Worker duty: every confirmed placement whose agreed start date has come, started."""
    today = now.astimezone(LONDON).date()
    confirmed = TimelineEvent.objects.filter(package=OuterRef("pk"), type=EventType.CONFIRMED)
    lines = []
    candidates = Package.objects.filter(status=PackageStatus.AWARDED).filter(Exists(confirmed))
    for package in candidates.exclude(engine_state__isnull=True).order_by("pk"):
        rows = list(package.timeline.order_by("id").only("type", "details"))
        start = agreed_start(rows)
        if placement_of(rows) != Placement.CONFIRMED or start is None or start > today:
            continue
        change = PlacementChange(at=now, actor=WORKER, action=DecisionAction.START)
        result = runner.do_council(package, change, now=now, actor=WORKER)
        if any(event.type == EventType.PLACEMENT_STARTED for event in result.events):
            lines.append(f"package {package.case_number}: care started ({start.isoformat()})")
    return lines
