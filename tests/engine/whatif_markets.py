"""Made-up what-if markets, one per preset, as the decoded MARKET.toml tables tests build on."""

from __future__ import annotations

from typing import Any

from carebroker.engine.whatif_market import MarketSpec
from carebroker.engine.whatif_reader import read_market

ESSEX_QUADRANTS = ("North", "Mid", "West", "South East", "South West")


def essex(**overrides: Any) -> dict[str, Any]:
    """Essex LAH: five quadrants, Tier 1 and 2 framework providers and a few spot ones."""
    return _market(
        "essex-lah",
        areas=[{"name": name, "packages_per_working_day": 2.0} for name in ESSEX_QUADRANTS],
        packages={"urgent": 0.1, "hospital_discharge": 0.1, "change_to_existing": 0.1},
        generate={
            "count": 20,
            "kinds": {"framework": 0.85, "spot": 0.15},
            "tiers": {"1": 0.6, "2": 0.4},
            "areas_low": 1,
            "areas_high": 3,
            "spread": 0.3,
        },
        council={"choices": {"open_market_choice": "award"}},
        **overrides,
    )


def kent(**overrides: Any) -> dict[str, Any]:
    """Kent OPPD: clusters, clustered / other contracted / non-contracted, some sanctioned."""
    return _market(
        "kent-oppd",
        areas=[
            {"name": "Ashford A", "packages_per_working_day": 3.0},
            {"name": "Dover B", "packages_per_working_day": 2.0},
        ],
        packages={"urgent": 0.1, "hospital_discharge": 0.1},
        generate={
            "count": 14,
            "kinds": {"clustered": 0.4, "other_contracted": 0.3, "non_contracted": 0.3},
            "areas_low": 1,
            "areas_high": 2,
            "cqc": {
                "Good": 0.5,
                "Outstanding": 0.1,
                "Requires improvement": 0.2,
                "Inadequate": 0.1,
                "unregistered": 0.1,
            },
            "sanctioned": 0.2,
            "spread": 0.3,
        },
        council={"choices": {"non_contracted_approval": "approve"}},
        **overrides,
    )


def leics(**overrides: Any) -> dict[str, Any]:
    """Leicestershire short breaks: lots, support types, ages; framework and off framework."""
    return _market(
        "leics-short-breaks",
        areas=[
            {"name": "City", "packages_per_working_day": 2.0},
            {"name": "County", "packages_per_working_day": 2.0},
        ],
        packages={
            "urgent": 0.2,
            "emergency": 0.1,
            "lots": [1, 2],
            "support_types": ["play_and_leisure", "domiciliary"],
            "age": {"distribution": "uniform", "low": 0, "high": 18},
        },
        generate={
            "count": 16,
            "kinds": {"framework": 0.7, "non_framework": 0.3},
            "areas_low": 1,
            "areas_high": 2,
            "lots": [1, 2],
            "support_types": ["play_and_leisure", "domiciliary"],
            "min_age": {"distribution": "choice", "values": [0, 0, 5]},
            "max_age": {"distribution": "choice", "values": [18, 18, 12]},
            "spread": 0.3,
        },
        behaviour={"rate": {"distribution": "choice", "values": [20, 21, 22]}},  # ties happen
        council={
            "choices": {
                "part_offer": "accept_part",
                "mini_competition": "award",
                "unable_to_fill": "close",
            }
        },
        **overrides,
    )


PRESET_MARKETS = {"essex-lah": essex, "kent-oppd": kent, "leics-short-breaks": leics}


def spec(table: dict[str, Any]) -> MarketSpec:
    return read_market(table)


def _market(
    policy: str,
    areas: list[dict[str, Any]],
    packages: dict[str, Any],
    generate: dict[str, Any],
    council: dict[str, Any],
    behaviour: dict[str, Any] | None = None,
    start: str = "2027-02-01T09:00:00Z",
    until: str = "2027-02-26T17:00:00Z",
) -> dict[str, Any]:
    return {
        "policy": policy,
        "start": start,
        "until": until,
        "packages": packages,
        "areas": areas,
        "providers": {"generate": generate},
        "behaviour": {
            "interest": 0.5,
            "offer": 0.5,
            "decline": 0.3,
            "silence": 0.2,
            "part": 0.2,
            "delay": {"distribution": "lognormal", "median": 60, "sigma": 1.0},
            **(behaviour or {}),
        },
        "council": {"delay": {"distribution": "uniform", "low": 30, "high": 240}, **council},
    }
