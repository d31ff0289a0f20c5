"""Scenario tests' shared builders: made-up markets and packages, replayed through the engine."""

from __future__ import annotations

import copy
from typing import Any

from carebroker.engine.result import result
from carebroker.engine.scenario import parse_scenario
from carebroker.engine.simulation import simulate


def replay(scenario: dict[str, Any]) -> dict[str, Any]:
    """Validate and simulate `scenario`; the output JSON as a dict."""
    return result(simulate(parse_scenario(copy.deepcopy(scenario))))  # type: ignore[return-value]


def provider(pid: str, **fields: Any) -> dict[str, Any]:
    row = {"id": pid, "name": f"Provider {pid}", "kind": "framework", "areas": {"North": 1}}
    row.update(fields)
    return row


def package(pid: str = "M1", **fields: Any) -> dict[str, Any]:
    row = {
        "id": pid,
        "area": "North",
        "postcode": "CO4 3SQ",
        "referred_at": "2026-11-20T11:00:00Z",
        "preferred_start": "2026-12-07",
        "hours_per_week": 14,
    }
    row.update(fields)
    return row


def scenario(
    policy: Any,
    providers: list[dict],
    packages: list[dict],
    events: list[dict],
    start: str = "2026-11-16T08:00:00Z",
    until: str = "2026-12-31T17:00:00Z",
) -> dict:
    return {
        "policy": policy,
        "start": start,
        "until": until,
        "providers": providers,
        "packages": packages,
        "events": events,
    }


def answer(at: str, prov: str, action: str, pkg: str = "M1", **fields: Any) -> dict[str, Any]:
    return {"at": at, "package": pkg, "provider": prov, "action": action, **fields}


def decision(at: str, actor: str, action: str, pkg: str = "M1", **fields: Any) -> dict[str, Any]:
    return {"at": at, "package": pkg, "actor": actor, "action": action, **fields}


def only(output: dict[str, Any]) -> dict[str, Any]:
    """The one package of a one-package scenario."""
    (found,) = output["packages"]
    return found


def requests(pkg: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [r for r in pkg["requests"] if all(r.get(k) == v for k, v in match.items())]


def events(pkg: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [e for e in pkg["events"] if e["type"] == type_]
