"""Background jobs of the exchange, as Django tasks (`django.tasks`, on django-tasks-db).

A web request enqueues a task and returns at once; `carebroker worker` runs it beside its
sweeps (sourcing/jobs.py) and stores what it returns with the task's result, where the page
that asked for it reads it back (`web/views/batch_reports.py`). A task's arguments and
return value are JSON, so a workbook travels as base64.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django.tasks import task

from carebroker.councils.models import Council
from carebroker.exchange.batch_report import batch_reports


@task
def build_batch_reports(council_id: int, day: str) -> dict[str, Any]:
    """Every area's batch report of the batch `council_id` issued on `day` (an ISO date), as
    `carebroker batch-report` writes them: no packages on that day's batch, no workbook."""
    council = Council.objects.get(pk=council_id)
    return {
        "council_id": council.pk,
        "day": day,
        "workbooks": [
            {
                "area": workbook.area,
                "filename": workbook.filename,
                "cases": list(workbook.cases),
                "content": base64.b64encode(workbook.content).decode("ascii"),
            }
            for workbook in batch_reports(council, date.fromisoformat(day))
        ],
    }


def workbook_content(built: dict[str, Any], number: int) -> tuple[str, bytes]:
    """The filename and bytes of workbook `number` (from 1) of a build's return value."""
    workbook = built["workbooks"][number - 1]
    return workbook["filename"], base64.b64decode(workbook["content"])
