"""The placement after the award on the database (sourcing/placements.py): the worker starts
a confirmed placement when its agreed start date arrives (London), once; the package page
shows the placement in words."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from carebroker.councils.models import Council
from carebroker.engine.inputs import Answer, PlacementChange
from carebroker.lib.london import LONDON
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.placements import WORKER, placement_summary, start_placements
from tests.factories import make_council
from tests.sourcing.kent import NOW, kent_cluster
from tests.sourcing.scenario_db import drive, load, read_example
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
START = date(2026, 12, 7)  # a Monday


def _confirmed():
    kent = kent_cluster()
    package = kent.packages[0]
    first = str(kent.providers[0].pk)
    runner.record_answer(package, Answer(at=NOW + timedelta(minutes=5), provider=first,
                                         action="accept"))  # fmt: skip
    runner.record_answer(package, Answer(at=NOW + timedelta(hours=1), provider=first,
                                         action="confirm", start=START,
                                         call_times="08:00 and 18:00"))  # fmt: skip
    package.refresh_from_db()
    return kent, package


def test_the_worker_starts_a_confirmed_placement_on_its_agreed_start_date_in_london():
    """Sunday 23:59 in London: not yet. Monday 00:00 in London (00:00 UTC in winter):
    started, by the worker, once; the next sweep does nothing more."""
    _, package = _confirmed()
    assert start_placements(datetime(2026, 12, 6, 23, 59, tzinfo=UTC)) == []
    assert placement_summary(package).state == "confirmed"
    lines = start_placements(datetime(2026, 12, 7, 0, 0, tzinfo=UTC))
    assert lines == [f"package {package.case_number}: care started (2026-12-07)"]
    started = TimelineEvent.objects.get(package=package, type="placement_started")
    assert started.actor == WORKER
    assert placement_summary(package).state == "started"
    assert start_placements(datetime(2026, 12, 7, 0, 5, tzinfo=UTC)) == []


def test_a_placement_not_confirmed_is_not_started_by_the_worker():
    kent = kent_cluster()
    package = kent.packages[0]
    first = str(kent.providers[0].pk)
    runner.record_answer(package, Answer(at=NOW + timedelta(minutes=5), provider=first,
                                         action="accept"))  # fmt: skip
    assert start_placements(datetime(2027, 1, 4, 9, 0, tzinfo=UTC)) == []
    assert placement_summary(package).state == "awarded"
    assert placement_summary(package).label == "Awarded: waiting for the provider's confirmation"


def test_the_package_page_shows_the_placement_in_words():
    kent, package = _confirmed()
    runner.do_council(package, PlacementChange(at=datetime(2026, 12, 7, 9, tzinfo=UTC),
                                               actor="broker", action="start"))  # fmt: skip
    with clock(datetime(2026, 12, 7, 10, tzinfo=UTC)):
        page = main_of(client_for(kent.broker).get(f"/packages/{package.case_number}/"))
    placement = page.split('id="placement-state">')[1].split("</dd>")[0]
    assert placement == (
        "Care has started; care starts Monday 7 December 2026; call times 08:00 and 18:00"
    )
    assert "<strong>Care started</strong>" in page


def _essex_awarded():
    loaded = load(read_example("essex-lah"))
    drive(loaded)
    package = Package.objects.filter(council=loaded.council, awarded_provider__isnull=False)
    return package.order_by("pk").first()


def test_without_a_confirmation_step_the_worker_starts_an_awarded_placement_on_its_agreed_start():
    """Essex has no Provider Confirmation Form (docs/policies.md §4): the award agreed the
    start, so the placement starts on that day without a confirmation, once. Before this
    rule an Essex placement stayed "waiting for the provider's confirmation" for good."""
    package = _essex_awarded()
    summary = placement_summary(package)
    assert summary.state == "awarded" and summary.label == "Awarded"
    start = summary.start
    assert start is not None
    day_before = datetime.combine(start - timedelta(days=1), time(12), tzinfo=LONDON)
    line = f"package {package.case_number}: care started ({start.isoformat()})"
    assert line not in start_placements(day_before)
    assert placement_summary(package).state == "awarded"
    assert line in start_placements(datetime.combine(start, time(0, 1), tzinfo=LONDON))
    assert placement_summary(package).state == "started"
    assert line not in start_placements(datetime.combine(start, time(9), tzinfo=LONDON))
    assert TimelineEvent.objects.filter(package=package, type="placement_started").count() == 1


def test_a_council_whose_policy_cannot_be_loaded_does_not_stop_the_others_starting():
    """The start duty runs council by council (as the worker's other duties do): a council
    whose stored policy is broken (stored past the form's check) is reported in words, and
    the other council's confirmed placement still starts."""
    broken = make_council("kent-oppd", name="Brokenshire County Council")
    Council.objects.filter(pk=broken.pk).update(policy_toml="not [valid")
    _, package = _confirmed()
    lines = start_placements(datetime(2026, 12, 7, 0, 0, tzinfo=UTC))
    assert lines == [
        "placements: Brokenshire County Council: none started, its policy cannot be loaded "
        "(see the log)",
        f"package {package.case_number}: care started (2026-12-07)",
    ]
    assert placement_summary(package).state == "started"
