"""A day's batch reports, built in the background (exchange/tasks.py) and downloaded.

The broker asks on the batch page; the request only queues a Django task and shows its
page, which refreshes itself until `carebroker worker` has built the workbooks. A build is
its council's: another council's build, or an id that is no build, is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.views.decorators.http import require_GET, require_POST

from carebroker.exchange.batch_report import XLSX
from carebroker.exchange.tasks import build_batch_reports, workbook_content
from carebroker.web.forms.batch_reports import BatchReportForm
from carebroker.web.views.access import STAFF, role_required, the_user

REFRESH_SECONDS = 2


@require_POST
@role_required(*STAFF)
def build(request: HttpRequest) -> HttpResponse:
    user = the_user(request)
    form = BatchReportForm(request.POST)
    if not form.is_valid():
        return render(request, "web/batch/reports_form.html", {"report_form": form}, status=400)
    day: date = form.cleaned_data["day"]
    result = build_batch_reports.enqueue(council_id=user.council_id, day=day.isoformat())
    return redirect("batch_report_build", result_id=result.id)


def _build_for_user(request: HttpRequest, result_id: UUID) -> TaskResult:
    user = the_user(request)
    try:
        result = build_batch_reports.get_result(str(result_id))
    except (TaskResultDoesNotExist, TaskResultMismatch):
        raise Http404("No such batch report build.") from None
    if result.kwargs.get("council_id") != user.council_id:
        raise Http404("No such batch report build.")
    return result


@require_GET
@role_required(*STAFF)
def build_page(request: HttpRequest, result_id: UUID) -> HttpResponse:
    result = _build_for_user(request, result_id)
    context: dict[str, Any] = {
        "result": result,
        "day": date.fromisoformat(result.kwargs["day"]),
        "finished": result.is_finished,
        "failed": result.status == TaskResultStatus.FAILED,
        "refresh": None if result.is_finished else REFRESH_SECONDS,
    }
    if result.status == TaskResultStatus.SUCCESSFUL:
        context["workbooks"] = [
            {"number": number, **workbook}
            for number, workbook in enumerate(result.return_value["workbooks"], start=1)
        ]
    return render(request, "web/batch/reports.html", context)


@require_GET
@role_required(*STAFF)
def download(request: HttpRequest, result_id: UUID, number: int) -> HttpResponse:
    result = _build_for_user(request, result_id)
    if result.status != TaskResultStatus.SUCCESSFUL:
        raise Http404("These batch reports are not built yet.")
    built = result.return_value
    if not 1 <= number <= len(built["workbooks"]):
        raise Http404("No such batch report in this build.")
    filename, content = workbook_content(built, number)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
