"""The broker's batch reports, built in the background (web/views/batch_reports.py): asked
for on the batch page, built by `carebroker worker`, downloaded; another council's build
is not there; a bad date names the field and queues nothing."""

from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from carebroker.accounts.models import Role
from carebroker.exchange.batch_report import REPORT_SHEET, XLSX
from tests.exchange.batch_world import FRIDAY_16, essex_batch
from tests.factories import make_council, make_user
from tests.web.pages import client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db

AFTER_THE_BATCH = FRIDAY_16.replace(minute=5)


def test_a_broker_asks_for_a_days_reports_the_worker_builds_them_and_they_download():
    world = essex_batch()
    broker = client_for(make_user(world.council, Role.BROKER))
    with clock(AFTER_THE_BATCH):
        batch_page = main_of(broker.get("/batch/"))
        assert 'id="batch-reports-form"' in batch_page
        assert 'value="2026-11-20"' in batch_page  # today, in London
        asked = broker.post("/batch/reports/", {"day": "2026-11-20"})
        assert asked.status_code == 302
        waiting = main_of(broker.get(asked["Location"]))
        assert "The reports are being built" in waiting
        assert "hx-trigger" in waiting  # the page asks again by itself

        call_command("worker", "--once", stdout=StringIO())

        built = main_of(broker.get(asked["Location"]))
    assert "Batch reports of Friday 20 November 2026" in built
    assert "hx-trigger" not in built
    assert "2026 11 20 Mid batch report.xlsx</a> (1 package)" in built
    assert "2026 11 20 North batch report.xlsx</a> (3 packages)" in built
    download = broker.get(asked["Location"] + "2/")
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert 'filename="2026 11 20 North batch report.xlsx"' in download["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(download.content))[REPORT_SHEET]
    assert [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)] == [
        "M4001",
        "M4002",
        "M4003",
    ]
    assert broker.get(asked["Location"] + "3/").status_code == 404


def test_another_councils_build_is_not_there():
    world = essex_batch()
    ours = client_for(make_user(world.council, Role.BROKER))
    theirs = client_for(make_user(make_council("kent-oppd"), Role.BROKER))
    with clock(AFTER_THE_BATCH):
        location = ours.post("/batch/reports/", {"day": "2026-11-20"})["Location"]
        call_command("worker", "--once", stdout=StringIO())
    assert ours.get(location + "1/").status_code == 200
    assert theirs.get(location).status_code == 404
    assert theirs.get(location + "1/").status_code == 404
    assert ours.get("/batch/reports/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "Enter the batch date"),
        ("31/02/2026", "Enter the batch date as a real date, like 20/11/2026"),
    ],
)
def test_a_bad_date_names_the_field_and_queues_nothing(day, message):
    world = essex_batch()
    broker = client_for(make_user(world.council, Role.BROKER))
    with clock(AFTER_THE_BATCH):
        response = broker.post("/batch/reports/", {"day": day})
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "id_day") == message
    assert '<a href="#id_day">' in page
    assert not DBTaskResult.objects.exists()
