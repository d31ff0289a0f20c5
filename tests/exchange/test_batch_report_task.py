"""The batch report build as a background job (exchange/tasks.py): a Django task queued on
the database backend (django-tasks-db), run by `carebroker worker` beside its sweeps
(sourcing/jobs.py), its workbooks kept with the task's result."""

from datetime import timedelta
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from carebroker.exchange.batch_report import REPORT_SHEET, signature
from carebroker.exchange.tasks import build_batch_reports, workbook_content
from tests.exchange.batch_world import BATCH_DAY, FRIDAY_16, essex_batch

pytestmark = pytest.mark.django_db

AFTER_THE_BATCH = FRIDAY_16 + timedelta(minutes=5)


@pytest.fixture
def clock(monkeypatch):
    """The worker's sweep reads the clock: pinned five minutes after the 16:00 batch."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER_THE_BATCH)


def mosaic_ids(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(BytesIO(content))[REPORT_SHEET]
    return [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_a_queued_build_is_run_by_the_worker_and_its_workbooks_are_kept(clock):
    """Enqueued, the build is a row in the database, not yet run; `carebroker worker --once`
    runs it after its sweep and says so; the result holds each area's workbook, signed as
    the batch email's is."""
    world = essex_batch()
    queued = build_batch_reports.enqueue(council_id=world.council.pk, day=BATCH_DAY.isoformat())
    assert queued.status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY

    out = StringIO()
    call_command("worker", "--once", stdout=out)

    assert "job build_batch_reports: successful" in out.getvalue().splitlines()
    done = build_batch_reports.get_result(queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    built = done.return_value
    assert built["council_id"] == world.council.pk and built["day"] == "2026-11-20"
    assert [(w["area"], w["cases"]) for w in built["workbooks"]] == [
        ("Mid", ["M4005"]),
        ("North", ["M4001", "M4002", "M4003"]),
    ]
    filename, content = workbook_content(built, 2)
    assert filename == "2026 11 20 North batch report.xlsx"
    assert mosaic_ids(content) == ["M4001", "M4002", "M4003"]
    about = openpyxl.load_workbook(BytesIO(content))["About"]
    signed = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    expected = signature(world.council.slug, "North", BATCH_DAY, ["M4001", "M4002", "M4003"])
    assert signed["Signature"] == expected


def test_a_build_for_a_day_without_a_batch_succeeds_with_no_workbook(clock):
    """docs/policies.md §4.2: no packages, no report; the build says so rather than failing."""
    world = essex_batch()
    queued = build_batch_reports.enqueue(
        council_id=world.council.pk, day=(BATCH_DAY + timedelta(days=1)).isoformat()
    )
    call_command("worker", "--once", stdout=StringIO())
    done = build_batch_reports.get_result(queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value["workbooks"] == []


def test_a_failing_build_is_recorded_as_failed_and_the_sweep_still_reports(clock):
    """A build for a council that is not there fails on its own: the worker says so, the
    result keeps the error, and the next job still runs."""
    world = essex_batch()
    broken = build_batch_reports.enqueue(council_id=world.council.pk + 999, day="2026-11-20")
    fine = build_batch_reports.enqueue(council_id=world.council.pk, day="2026-11-20")
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    lines = out.getvalue().splitlines()
    assert "job build_batch_reports: failed" in lines
    assert "job build_batch_reports: successful" in lines
    failed = build_batch_reports.get_result(broken.id)
    assert failed.status == TaskResultStatus.FAILED
    assert "DoesNotExist" in failed.errors[0].exception_class_path
    assert build_batch_reports.get_result(fine.id).status == TaskResultStatus.SUCCESSFUL
