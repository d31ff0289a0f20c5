"""A scenario (docs/scenarios.md) loaded into the database and driven through the runner
and the worker under a pinned clock, as a council's day would drive it."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from carebroker.accounts.models import Role
from carebroker.councils.models import Council
from carebroker.engine.inputs import (
    Answer,
    AwardByHand,
    Decision,
    Hold,
    PlacementChange,
    Release,
    ReviewOutcome,
)
from carebroker.engine.scenario import Scenario, parse_scenario
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package
from carebroker.sourcing.placements import start_placements
from carebroker.sourcing.worker import DUTIES, deliver_outbox, sweep
from tests.factories import make_area, make_council, make_provider, make_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The worker's duties but the delivery of email (the test reads the outbox instead) and the
# start of a confirmed placement on its start date: a scenario scripts that `start` itself
# (sourcing/placements.py); the worker's own is tested in tests/sourcing/test_placements.py.
SOURCING_DUTIES = [duty for duty in DUTIES if duty not in (deliver_outbox, start_placements)]


def read_example(preset: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{preset}.json").read_text(encoding="utf-8"))


@dataclass
class Loaded:
    council: Council
    scenario: Scenario
    provider_pk: dict[str, int]  # scenario id -> provider row pk
    packages: dict[str, Package]

    @property
    def provider_id(self) -> dict[str, str]:
        """Engine id (row pk as text) -> scenario id."""
        return {str(pk): sid for sid, pk in self.provider_pk.items()}


def load(source: dict[str, Any]) -> Loaded:
    scenario = parse_scenario(source)
    council = make_council(scenario.policy.name)
    make_user(council, Role.BROKER)
    make_user(council, Role.MANAGER)
    referrer = make_user(council, Role.REFERRER)
    names = {p.area for p in scenario.packages} | {
        area for p in scenario.providers for area, _ in p.areas
    }
    areas = {name: make_area(council, name) for name in sorted(names)}
    provider_pk = {}
    for p in scenario.providers:
        row = make_provider(
            council,
            name=p.name or p.id,
            areas={areas[a]: rank for a, rank in p.areas},
            kind=p.kind,
            tier=p.tier,
            lots=list(p.lots),
            support_types=list(p.support_types),
            min_age=p.min_age,
            max_age=p.max_age,
            cqc_registered=p.cqc_registered,
            cqc_rating=p.cqc_rating or "",
            sanctioned=p.sanctioned,
        )
        provider_pk[p.id] = row.pk
    packages = {}
    for p in scenario.packages:
        record = p.person
        assert record is not None and record.dob is not None, "the example names its people"
        person = Person(
            council=council,
            name=record.name,
            date_of_birth=record.dob,
            address=record.address,
            postcode=p.postcode or "",
            phone=record.phone or "",
            relations=[{"relation": r.relation, "name": r.name} for r in record.relations],
            allocated_worker=record.worker or "",
            principal_contact=record.principal_contact or "",
            principal_contact_phone=record.principal_contact_phone or "",
            needs=record.needs,
        )
        person.full_clean()
        person.save()
        referral = Referral(
            council=council,
            person=person,
            referrer=referrer,
            received_at=p.referred_at,
            documents=list(p.documents or ()),
            **{flag: True for flag in p.flags},
        )
        referral.full_clean()
        referral.save()
        packages[p.id] = Package.objects.create(
            council=council,
            referral=referral,
            person=person,
            case_number=p.id,
            area=areas[p.area],
            hours_per_week=p.hours_per_week or 0,
            preferred_start=p.preferred_start,
            urgent=p.urgent,
            emergency=p.emergency,
            hospital_discharge=p.hospital_discharge,
            lot=p.lot,
            support_type=p.support_type or "",
            change_to_existing=p.change_to_existing,
            current_provider_id=provider_pk[p.current_provider] if p.current_provider else None,
            enhanced_rate=p.enhanced_rate,
            target_supply_area=p.target_supply_area,
            # A scenario's package has its provider view confirmed (engine/market.py).
            view_confirmed_at=p.referred_at if p.view_confirmed else None,
        )
    return Loaded(council, scenario, provider_pk, packages)


def drive(loaded: Loaded) -> list[str]:
    """Referrals, scripted answers and decisions at their times, and the worker at each due
    time, in the simulator's order at one instant: referrals, scripted events, clocks."""
    scenario = loaded.scenario
    referrals = sorted(
        (max(p.referred_at, scenario.start), i, p.id) for i, p in enumerate(scenario.packages)
    )
    scripted = [(e.signal.at, i, e) for i, e in enumerate(scenario.events)]
    scripted.sort(key=lambda item: (item[0], item[1]))
    worker_lines: list[str] = []
    while True:
        due = (
            Package.objects.filter(council=loaded.council, next_due__isnull=False)
            .order_by("next_due")
            .values_list("next_due", flat=True)
            .first()
        )
        times = [
            t
            for t in (
                referrals[0][0] if referrals else None,
                scripted[0][0] if scripted else None,
                due,
            )
            if t
        ]
        if not times:
            break
        now = min(times)
        if now > scenario.until:
            break
        while referrals and referrals[0][0] == now:
            _, _, case = referrals.pop(0)
            runner.do_referral(loaded.packages[case], now)
        while scripted and scripted[0][0] == now:
            _, _, event = scripted.pop(0)
            signal = event.signal
            provider = getattr(signal, "provider", None)
            if provider is not None:
                signal = replace(signal, provider=str(loaded.provider_pk[provider]))
            package = loaded.packages[event.package]
            if isinstance(signal, Answer):
                runner.record_answer(package, signal)
            else:
                assert isinstance(
                    signal,
                    Decision | AwardByHand | Hold | Release | PlacementChange | ReviewOutcome,
                )
                runner.do_council(package, signal)
        for line in sweep(now, SOURCING_DUTIES):
            assert "FAILED" not in line, line
            worker_lines.append(line)
    return worker_lines


def translated(value: Any, names: dict[str, str]) -> Any:
    """Engine provider ids (row pks) in a record replaced by the scenario's ids (the keys
    the engine names providers under: provider, providers, offers)."""
    if isinstance(value, dict):
        return {
            k: (
                names.get(v, v)
                if k == "provider" and isinstance(v, str)
                else [names.get(x, x) for x in v]
                if k in ("providers", "offers") and isinstance(v, list)
                else translated(v, names)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [translated(item, names) for item in value]
    return value
