"""The policy simulator's engine part (engine/whatif_replay.py): provider behaviour fitted
to answers that can be counted, packages anonymised, and a replay that differs only by its
policy."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carebroker.engine.market import MarketProvider, PackageSpec
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.provider_view import PersonRecord
from carebroker.engine.whatif_replay import (
    DEFAULT_BEHAVIOUR,
    MIN_OWN,
    Answered,
    Replay,
    anonymised,
    figures,
    fit,
    replay,
)


def answers(provider: str, **outcomes: int) -> list[Answered]:
    made = []
    for outcome, count in outcomes.items():
        for n in range(count):
            made.append(
                Answered(
                    provider,
                    "offer",
                    outcome,
                    minutes=None if outcome == "expired" else 60 * (n + 1),
                )
            )
    return made


def test_the_fit_is_the_share_of_offers_declines_and_silences_counted():
    # 6 accepts, 3 declines, 1 expired; 2 open requests say nothing and are not counted
    given = answers("A", accept=6, decline=3, expired=1, open=2)
    behaviours, read = fit(given, ["A"])
    assert read.requests == 10
    assert (read.yes, read.no, read.silent) == (0.6, 0.3, 0.1)
    # answer times 60..360 (accepts) and 60..180 (declines): 60 60 120 120 180 180 240 300 360
    assert read.median_minutes == 180
    mine = behaviours["A"]
    assert (mine.offer, mine.decline, mine.silence) == (0.6, 0.3, 0.1)
    assert mine.delay.median == 180
    assert read.own == 1


def test_a_provider_with_few_requests_answers_as_the_council_does():
    given = answers("A", accept=8, decline=2) + answers("B", decline=3)
    behaviours, read = fit(given, ["A", "B", "C"])
    assert read.own == 1  # only A has MIN_OWN finished requests
    council = behaviours["B"]
    assert behaviours["C"] == council
    assert council.offer == pytest.approx(8 / 13) and council.decline == pytest.approx(5 / 13)
    assert behaviours["A"].offer == 0.8


def test_a_council_with_too_few_answers_gets_the_examples_behaviour():
    behaviours, read = fit(answers("A", accept=MIN_OWN - 1), ["A"])
    assert behaviours["A"] == DEFAULT_BEHAVIOUR
    assert read.requests == MIN_OWN - 1 and read.own == 0


def test_the_interest_weight_gives_the_counted_share_of_interest():
    given = answers("A", offer=5, decline=3, expired=2) + [
        Answered("A", "interest", "interest", minutes=30) for _ in range(3)
    ] + [Answered("A", "interest", "expired") for _ in range(1)]  # fmt: skip
    behaviours, read = fit(given, ["A"])
    assert read.interest == 0.75
    mine = behaviours["A"]
    share = mine.interest / (mine.interest + mine.decline + mine.silence)
    assert share == pytest.approx(0.75)
    rng = random.Random(1)
    drawn = [mine.answer(rng, "interest") for _ in range(20000)]
    assert drawn.count("interest") / len(drawn) == pytest.approx(0.75, abs=0.01)


def test_a_package_replayed_keeps_no_name_address_postcode_or_case_number():
    person = PersonRecord(
        name="Ada Lovelock",
        dob=date(1941, 3, 2),
        address="1 High Street",
        postcode="CO4 3SQ",
        phone="01206 000000",
    )
    package = PackageSpec(
        id="M1234",
        area="North",
        referred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        preferred_start=date(2026, 11, 9),
        postcode="CO4 3SQ",
        person=person,
        age=85,
        hours_per_week=Decimal(10),
        documents=("referral_form",),
    )
    copy = anonymised(package, 7)
    assert copy.id == "R00007" and copy.person is None and copy.postcode is None
    assert "Ada" not in repr(copy) and "High Street" not in repr(copy) and "M1234" not in repr(copy)
    assert (copy.age, copy.area, copy.hours_per_week, copy.documents) == (
        85,
        "North",
        Decimal(10),
        ("referral_form",),
    )


def _setup() -> Replay:
    providers = tuple(
        MarketProvider(id=str(n), name=f"P{n}", kind="clustered", areas=(("North", n),))
        for n in range(1, 4)
    )
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    packages = tuple(
        PackageSpec(
            id=f"R{n:05d}",
            area="North",
            referred_at=start + timedelta(hours=7 * n),
            preferred_start=date(2026, 12, 1),
            hours_per_week=Decimal(10),
            documents=("financial_authorisation", "referral_form", "charging_letter"),
        )
        for n in range(20)
    )
    behaviours = dict.fromkeys((p.id for p in providers), DEFAULT_BEHAVIOUR)
    return Replay(providers, behaviours, packages, start + timedelta(weeks=8))


def test_the_same_policy_twice_gives_the_same_figures_so_only_the_policy_differs():
    setup = _setup()
    kent = load_policy("kent-oppd")
    first = figures(replay(setup, kent, 0))
    assert first == figures(replay(setup, kent, 0))
    assert first["packages"] == 20
    assert first["placed"] + first["unfilled"] + first["statuses"]["sourcing"] <= 20
    assert sum(week[1] for week in first["weeks"]) == 20


def test_the_replay_reports_its_progress_on_the_virtual_clock(monkeypatch):
    monkeypatch.setattr("carebroker.engine.whatif.PROGRESS_EVERY", 5)  # 20 packages: few steps
    setup = _setup()
    seen: list[datetime] = []
    replay(setup, load_policy("kent-oppd"), 0, seen.append)
    assert seen, "no progress reported"
    assert seen == sorted(seen)
    assert seen[0] >= setup.packages[0].referred_at and seen[-1] <= setup.until
