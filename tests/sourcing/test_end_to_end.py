"""Each preset's example scenario driven through the database, the runner and the worker
equals what `carebroker simulate` gives for it (issue 4 item 3)."""

import pytest

from carebroker.engine.result import result
from carebroker.engine.simulation import simulate
from carebroker.outbox.models import Notice
from carebroker.sourcing.models import Package
from carebroker.sourcing.record import package_record
from tests.sourcing.scenario_db import drive, load, read_example, translated

PRESETS = ["essex-lah", "kent-oppd", "leics-short-breaks"]


def _without_view(record):
    return {key: value for key, value in record.items() if key != "provider_view"}


@pytest.mark.django_db
@pytest.mark.parametrize("preset", PRESETS)
def test_database_timeline_equals_simulate(preset):
    """Referral to award through the database with a pinned clock and the worker: status,
    award, every request and every engine event are those of `carebroker simulate`."""
    source = read_example(preset)
    loaded = load(source)
    drive(loaded)
    expected = result(simulate(loaded.scenario))
    assert expected["packages"], "the example has packages"
    for package in expected["packages"]:
        row = Package.objects.get(council=loaded.council, case_number=package["id"])
        got = translated(package_record(row), loaded.provider_id)
        assert _without_view(got) == _without_view(package)


@pytest.mark.django_db
@pytest.mark.parametrize("preset", PRESETS)
def test_every_award_queues_one_award_notice_to_the_winner(preset):
    """An award in the timeline is one award notice to the winning provider's contact."""
    loaded = load(read_example(preset))
    drive(loaded)
    awarded = Package.objects.filter(council=loaded.council, status="awarded")
    assert awarded.exists(), "each example awards at least one package"
    for row in awarded:
        notices = Notice.objects.filter(package=row, kind="award")
        assert notices.count() == 1
        contact = row.awarded_provider.contacts.get()
        assert notices.get().to == [contact.email]
