"""A package's sourcing record read from the rows, in the shape `carebroker simulate` writes
(docs/scenarios.md § Output): status, award, requests, the engine's timeline.

Providers are named by their engine id (the primary key as text). Council and worker
events (a broker's phone answer, a hand award, an adoption) are left out here: they are
the shell's audit, not the engine's timeline; `timeline(row)` has them all.
"""

from __future__ import annotations

from typing import Any

from carebroker.sourcing.models import EventSource, Package, SourcingRequest, TimelineEvent
from carebroker.sourcing.runner import plain


def package_record(row: Package) -> dict[str, Any]:
    return {
        "id": row.case_number,
        "status": row.status,
        "provider": str(row.awarded_provider_id) if row.awarded_provider_id else None,
        "awarded_at": plain(row.awarded_at),
        "stage": row.stage or None,
        "gate": row.gate or None,
        "requests": [
            request_record(r) for r in SourcingRequest.objects.filter(package=row).order_by("seq")
        ],
        "provider_view": row.provider_view,
        "events": [
            {"at": plain(e.at), "type": e.type, **e.details}
            for e in TimelineEvent.objects.filter(package=row, source=EventSource.ENGINE).order_by(
                "id"
            )
        ],
    }


def request_record(request: SourcingRequest) -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": str(request.provider_id),
        "stage": request.stage,
        "round": request.round,
        "sent_at": plain(request.sent_at),
        "deadline": plain(request.deadline),
        "outcome": request.outcome,
        "responded_at": plain(request.responded_at),
    }
    if request.outcome == "decline":
        row["reason"] = request.reason or None
    if request.outcome == "offer":
        row["coverage"] = request.coverage or None
        if request.rate is not None:
            row["rate"] = str(request.rate)
        if request.start is not None:
            row["start"] = request.start.isoformat()
    if request.not_awarded:
        row["not_awarded"] = request.not_awarded
    if request.late:
        row["late"] = True
    if request.chased:
        row["chased"] = request.chased
    return row


def timeline(row: Package) -> list[dict[str, Any]]:
    """Every event of the package, engine and council and worker, in the order written."""
    return [
        {"at": plain(e.at), "type": e.type, "source": e.source, "actor": e.actor, **e.details}
        for e in TimelineEvent.objects.filter(package=row).order_by("id")
    ]
