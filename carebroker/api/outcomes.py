"""Outcomes for case-management systems: read from the timeline (docs/architecture.md §5),
pulled (`GET /api/v1/outcomes`) or pushed (webhooks.py) in the same shape.

An outcome is one of these timeline events; its id is the event's, so a cursor is simply
"after this event" and a webhook delivery is unique per endpoint and event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from carebroker.engine.vocabulary import event_words
from carebroker.providers.models import Provider
from carebroker.sourcing.models import TimelineEvent

# timeline event type -> outcome kind; its words are the event's, as the pages say them
KINDS = {
    "award": "awarded",
    "confirmed": "start_confirmed",
    "handback": "handed_back",
    "unfilled": "unable_to_fill",
}


def outcome_events(council_id: int) -> QuerySet[TimelineEvent]:
    return (
        TimelineEvent.objects.filter(package__council_id=council_id, type__in=list(KINDS))
        .select_related("package")
        .order_by("id")
    )


def _start(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def outcomes_of(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    """The outcomes of these events, with the providers' names."""
    ids = {str(e.details.get("provider")) for e in events if e.details.get("provider")}
    names = {
        str(pk): name
        for pk, name in Provider.objects.filter(pk__in=[i for i in ids if i.isdigit()]).values_list(
            "pk", "name"
        )
    }
    rows = []
    for event in events:
        kind = KINDS[event.type]
        provider = event.details.get("provider")
        reason = event.details.get("reason")
        rows.append(
            {
                "id": str(event.pk),
                "kind": kind,
                "words": event_words(event.type),
                "at": event.at,
                "case_number": event.package.case_number,
                "referral_id": event.package.referral_id,
                "provider": names.get(str(provider), str(provider)) if provider else None,
                "start": _start(event.details.get("start")),
                "reason": str(reason) if reason else None,
            }
        )
    return rows
