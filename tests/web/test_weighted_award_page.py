"""Beside a weighted award the broker sees every weight and each offer's scores, as the engine
computed them (docs/policies.md §9); the delivery record comes from the latest EHM return."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.engine.policy import PRESETS_DIR
from carebroker.exchange.models import EhmSubmission
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.runner import do_tick, record_answer
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.sourcing.kent import NOW
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
AFTER_DEADLINE = NOW + timedelta(days=7, hours=1)  # the 5-working-day window ends Mon 30 Nov


def _weighted_toml() -> str:
    text = (PRESETS_DIR / "leics-short-breaks.toml").read_text()
    old = 'award = "best_price"                 # lowest hourly rate'
    assert old in text
    return text.replace(
        old, 'award = "weighted"\nweights = { price = 60, cqc = 30, delivery = 10 }\n# ', 1
    )


def test_package_page_shows_weights_and_each_offers_scores_beside_a_weighted_award():
    council = make_council("leics-short-breaks", policy_toml=_weighted_toml())
    area = make_area(council, "City", districts=["LE3"])
    a, b, c = (
        make_provider(council, name=name, areas={area: rank}, lots=[1],
                      support_types=["play_and_leisure"], cqc_rating=rating)
        for name, rank, rating in (("Alder", 1, "Good"), ("Birch", 2, "Outstanding"),
                                   ("Cedar", 3, "Requires improvement"))
    )  # fmt: skip
    for provider, planned, delivered, late in ((a, 100, 95, 5), (c, 50, 40, 10)):
        EhmSubmission.objects.create(
            council=council, provider=provider, period_start=date(2026, 10, 5),
            period_end=date(2026, 11, 1), received_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
            file_name="ehm.csv", file_sha256="0" * 64, late_after_minutes=30,
            short_by_minutes=15, planned_visits=planned, delivered_visits=delivered,
            late_visits=late, missed_visits=planned - delivered, short_visits=0,
        )  # fmt: skip
    person = make_person(council, postcode="LE3 9QP", date_of_birth=date(2015, 3, 2))
    referral = make_referral(council, person=person, referrer=make_user(council, Role.REFERRER),
                             documents=["manager_signature"])  # fmt: skip
    package = make_package(council, referral=referral, area=area, lot=1,
                           support_type="play_and_leisure")  # fmt: skip
    do_submit_referral(referral, NOW)
    for minute, (provider, rate) in enumerate(((a, "20.00"), (b, "25.00"), (c, "16.00")), 1):
        answer = Answer(NOW + timedelta(minutes=minute), str(provider.pk), "offer",
                        coverage="full", rate=Decimal(rate))  # fmt: skip
        assert record_answer(package, answer).counted
    do_tick(package, AFTER_DEADLINE)
    package.refresh_from_db()
    # A: 80 price, 75 CQC, 90 delivery -> 79.5; B: 64, 100, 50 (no return) -> 73.4;
    # C: 100, 25, 60 -> 73.5. Alder wins although Cedar is cheapest.
    assert package.awarded_provider == a
    with clock(AFTER_DEADLINE):
        page = main_of(client_for(make_user(council, Role.BROKER)).get(
            f"/packages/{package.case_number}/"))  # fmt: skip
    block = page.split('id="weighted-award"')[1].split("</dd>")[0]
    assert "price 60, CQC rating 30, delivery record 10" in block
    cells = [
        [cell.split(">")[-1] for cell in row.split("</t")[:-1]]
        for row in block.split("<tbody")[1].split("</tr>")[:-1]
    ]
    assert [row[0] for row in cells] == ["Alder (awarded)", "Cedar", "Birch"]
    assert [row[1:] for row in cells] == [
        ["80.0", "75.0", "90.0", "79.5"],
        ["100.0", "25.0", "60.0", "73.5"],
        ["64.0", "100.0", "50.0", "73.4"],
    ]
