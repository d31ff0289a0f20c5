"""The simulation output (docs/scenarios.md § Output): plain JSON-ready values, times in UTC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal

from carebroker.engine.provider_view import provider_view
from carebroker.engine.simulation import Simulation
from carebroker.engine.state import PackageState, Request
from carebroker.engine.vocabulary import PackageStatus

JSON = object


def result(simulation: Simulation) -> dict[str, JSON]:
    policy = simulation.market.policy
    return {
        "policy": policy.name,
        "packages": [
            _package(state, policy.anonymise_provider_view) for state in simulation.states
        ],
    }


def _package(state: PackageState, anonymise: bool) -> dict[str, JSON]:
    person = state.package.person
    view: JSON = None
    if person is not None:
        view = provider_view(person) if anonymise else plain(asdict(person))
    return {
        "id": state.package.id,
        "status": "sourcing" if state.status == PackageStatus.NEW else state.status,
        "provider": state.provider,
        "awarded_at": plain(state.awarded_at),
        "stage": state.stage,
        "gate": state.gate,
        "requests": [_request(request) for request in state.requests],
        "provider_view": view,
        "events": [
            {"at": plain(event.at), "type": event.type, **_plain_map(event.details)}
            for event in state.events
        ],
    }


def _request(request: Request) -> dict[str, JSON]:
    row: dict[str, JSON] = {
        "provider": request.provider,
        "stage": request.stage,
        "round": request.round,
        "sent_at": plain(request.sent_at),
        "deadline": plain(request.deadline),
        "outcome": request.outcome,
        "responded_at": plain(request.responded_at),
    }
    if request.outcome == "decline":
        row["reason"] = request.reason
    if request.outcome == "offer":
        row["coverage"] = request.coverage
        if request.rate is not None:
            row["rate"] = str(request.rate)
        if request.start is not None:
            row["start"] = request.start.isoformat()
    if request.not_awarded is not None:
        row["not_awarded"] = request.not_awarded
    if request.late:
        row["late"] = True
    if request.chased:
        row["chased"] = request.chased
    return row


def _plain_map(values: Mapping[str, object]) -> dict[str, JSON]:
    return {key: plain(value) for key, value in values.items()}


def plain(value: object) -> JSON:
    """JSON-ready values as `carebroker simulate` writes them (times UTC with a Z)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return value
