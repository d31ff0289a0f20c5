"""The dashboard page and its downloads (issue 13 (a)); the reports are in report_views.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from carebroker.reports import charts
from carebroker.reports.access import council_of, staff_required
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.figures import Scope, dashboard
from carebroker.reports.filters import read_filters
from carebroker.reports.tables import Table, to_csv, to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Figure:
    table: Table
    chart: SafeString | None
    wide: bool = False
    note: str = ""


def _scope(request: HttpRequest) -> Scope:
    council = council_of(request)
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    return Scope(council, policy, calendar, read_filters(request.GET, council, now), now)


@require_GET
@staff_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    board = dashboard(scope)
    rule = scope.rule
    if scope.policy.waiting_list is None:
        rag_note = (
            "Your policy sets no waiting-list thresholds; these use amber from "
            f"{rule.amber_from_days} and red from {rule.red_from_days} working days."
        )
    else:
        rag_note = (
            f"Amber from {rule.amber_from_days} and red from {rule.red_from_days} working days "
            "after the person started waiting."
        )
    shown = len(board.long_waits.rows)
    long_note = (
        f"The {shown} longest waits of {board.long_waits_total} are shown; the downloads list "
        "them all."
        if board.long_waits_total > shown
        else ""
    )
    figures = [
        Figure(
            board.flow,
            charts.bars(board.flow, ("Referrals in", "Placed", "Unfilled", "Handed back")),
        ),
        Figure(board.hours, charts.bars(board.hours, ("Hours a week placed",))),
        Figure(
            board.award_by_stage,
            charts.hbars(board.award_by_stage, "Median working hours"),
            note="Working hours count only the council's working day, from the referral's "
            "receipt to the award.",
        ),
        Figure(board.award_by_area, charts.hbars(board.award_by_area, "Median working hours")),
        Figure(
            board.waiting,
            charts.bars(board.waiting, ("Green", "Amber", "Red"), stacked=True, colours=charts.RAG),
            note=rag_note,
        ),
        Figure(board.long_waits, None, wide=True, note=long_note),
        Figure(
            board.responsiveness_provider,
            charts.hbars(board.responsiveness_provider, "Requests sent"),
            wide=True,
            note="For requests sent in the period. Answered in time: by the request's deadline. "
            "Acceptance rate: offers and acceptances out of offers, acceptances and declines.",
        ),
        Figure(
            board.responsiveness_area,
            charts.hbars(board.responsiveness_area, "Requests sent"),
            wide=True,
        ),
        Figure(board.declines, charts.hbars(board.declines, "Declines")),
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "council": scope.council,
            "filters": scope.filters,
            "figures": figures,
            "query": scope.filters.query(),
            **filter_context(request, scope),
        },
    )


@require_GET
@staff_required
def dashboard_download(request: HttpRequest) -> HttpResponse:
    """?figure=KEY (or all) &format=csv|xlsx, with the page's own filters."""
    scope = _scope(request)
    board = dashboard(scope, long_wait_limit=None)
    tables = {table.key: table for table in board.tables()}
    figure, kind = request.GET.get("figure", "all"), request.GET.get("format", "xlsx")
    if kind not in ("csv", "xlsx") or (figure != "all" and figure not in tables):
        raise Http404("No such download: choose a figure of the dashboard, as CSV or .xlsx.")
    if figure == "all" and kind == "csv":
        raise Http404("Every figure at once comes as a spreadsheet (.xlsx) only.")
    chosen = list(tables.values()) if figure == "all" else [tables[figure]]
    f = scope.filters
    name = f"{scope.council.slug} dashboard {f.start:%Y %m %d} to {f.end:%Y %m %d}"
    if figure != "all":
        name += f" {chosen[0].title.lower()}"
    return download(chosen, name, kind)


def filter_context(request: HttpRequest, scope: Scope) -> dict[str, object]:
    """What the filter form shows: what was typed (or the range in force) and the errors."""
    current = scope.filters.params()
    typed = {
        key.replace("-", "_"): request.GET.get(key, current.get(key, ""))
        for key in ("from-day", "from-month", "from-year", "to-day", "to-month", "to-year", "area")
    }
    errors = {
        "from": scope.filters.errors.get("from-day"),
        "to": scope.filters.errors.get("to-day"),
        "area": scope.filters.errors.get("area"),
    }
    return {"typed": typed, "errors": errors, "areas": list(scope.council.areas.order_by("name"))}


def download(tables: list[Table], name: str, kind: str) -> HttpResponse:
    if kind == "csv":
        response = HttpResponse(to_csv(tables[0]), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(to_xlsx(tables), content_type=XLSX)
    safe = "".join(c for c in name if c.isalnum() or c in " -,()") or "report"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{kind}"'
    return response
