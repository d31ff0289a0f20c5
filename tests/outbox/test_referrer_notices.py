"""Referrers kept informed (issue 11): the award, the start date, a handback, a package
nobody could take and a review's outcome reach the referrer in every preset, through the
outbox, each in the council's own words (`notices/<policy>/<kind>.txt`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction

from carebroker.engine.inputs import Answer, Decision
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.outbox.notices import queue_notice
from carebroker.placements.ipa_loop import do_countersign, do_receive_signed_ipa
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package
from tests.factories import make_council, make_package
from tests.outbox.samples import DEADLINE as NOW
from tests.outbox.samples import SAMPLES
from tests.placements.ipa_world import COUNTERSIGNED, RETURNED, leics_awarded
from tests.sourcing.scenario_db import drive, load, read_example

pytestmark = pytest.mark.django_db
PRESETS = ("essex-lah", "kent-oppd", "leics-short-breaks")


def _to_referrer(package, kind):
    referrer = package.referral.referrer
    notices = Notice.objects.filter(package=package, kind=kind, to=[referrer.email])
    return list(notices)


@pytest.mark.parametrize("preset", PRESETS)
def test_the_referrer_hears_who_won_in_every_preset(preset):
    loaded = load(read_example(preset))
    drive(loaded)
    awarded = Package.objects.filter(council=loaded.council, awarded_at__isnull=False)
    assert awarded.exists()
    for package in awarded.select_related("referral__referrer", "awarded_provider"):
        [notice] = _to_referrer(package, NoticeKind.FILLED)
        assert package.awarded_provider.name in notice.body


@pytest.mark.parametrize(
    ("preset", "words"),
    [
        ("kent-oppd", ["package of care", "Purchasing Officer"]),
        ("essex-lah", ["Service Placement Team", "Live at Home Framework"]),
        ("leics-short-breaks", ["individual placement agreement"]),
    ],
)
def test_each_council_tells_its_referrers_in_its_own_words(preset, words):
    council = make_council(preset)
    package = make_package(council)
    with transaction.atomic():
        notice = queue_notice(
            council=council,
            kind=NoticeKind.FILLED,
            key="filled:voice",
            to=["worker@council.example.org"],
            context=SAMPLES[NoticeKind.FILLED],
            package=package,
            now=NOW,
        )
    for said in words:
        assert said in notice.body


def test_the_referrer_hears_the_start_date_once_the_ipa_is_countersigned():
    world = leics_awarded()
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    do_countersign(world.broker, world.package, date(2027, 1, 11), COUNTERSIGNED)
    [notice] = Notice.objects.filter(package=world.package, kind=NoticeKind.START_AGREED)
    assert "Monday 11 January 2027" in notice.subject
    assert "Oak Short Breaks 1 has signed the individual placement agreement" in notice.body
    assert world.winner.contacts.first().email not in notice.to


def test_the_referrer_hears_of_a_handback():
    world = leics_awarded()
    handback = Answer(
        at=RETURNED, provider=str(world.winner.pk), action="handback", reason="staff shortage"
    )
    assert runner.record_answer(world.package, handback).counted
    [notice] = Notice.objects.filter(package=world.package, kind=NoticeKind.HANDBACK)
    assert "Oak Short Breaks 1 has handed back" in notice.body
    assert "staff shortage" in notice.body


def test_the_referrer_hears_when_nobody_could_take_the_package():
    """Kent: nobody answers the contracted providers; the manager refuses to approach
    non-contracted ones: the package is unfilled and its referrer told why, in words."""
    scenario = read_example("kent-oppd")
    scenario["events"] = []  # nobody answers: the contracted stages run out
    scenario["until"] = "2026-12-31T17:00:00Z"
    loaded = load(scenario)
    drive(loaded)
    held = Package.objects.filter(council=loaded.council, gate="non_contracted_approval")
    assert held.exists()
    for package in held.select_related("referral__referrer"):
        at = package.timeline.order_by("-at").first().at
        refuse = Decision(
            at=at, actor="manager", action="decide", gate=package.gate, choice="refuse"
        )
        runner.do_council(package, refuse)
        package.refresh_from_db()
        assert package.status == "unfilled"
        [notice] = _to_referrer(package, NoticeKind.NOT_PLACED)
        assert "Purchasing has not been able to place the package of care" in notice.body
        assert ": no answer in time" in notice.body
        assert "_" not in notice.body


def test_a_review_outcome_reads_in_the_councils_words():
    council = make_council("kent-oppd")
    package = make_package(council)
    with transaction.atomic():
        notice = queue_notice(
            council=council,
            kind=NoticeKind.REVIEW_OUTCOME,
            key="review:voice",
            to=["worker@council.example.org"],
            context=SAMPLES[NoticeKind.REVIEW_OUTCOME],
            package=package,
            now=NOW + timedelta(days=1),
        )
    assert f"post-implementation review of the package of care {package.case_number}" in notice.body
    assert "Outcome: continue as it is." in notice.body
