"""The seeds' reports as pages and downloads (issue 13 (b)).

Each page takes its period from a GOV.UK date input in the URL and offers each section as
CSV and the whole report as .xlsx (`?figure=KEY&format=csv`, `?figure=all&format=xlsx`).
A report the council's policy does not have is a 404 that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.accounts.models import Role
from carebroker.audit.record import exported
from carebroker.councils.models import Council
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.tracker import tracker_xlsx
from carebroker.reports import kent
from carebroker.reports.access import council_of, staff_required
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.ehm_kpi import ehm_kpi
from carebroker.reports.periods import Period, read_period
from carebroker.reports.report import Report
from carebroker.reports.views import XLSX, download
from carebroker.reports.waiting import DEFAULT_RULE
from carebroker.sourcing.models import Package

Maker = Callable[[Council, Policy, WorkingCalendar, Period, datetime], Report]


def available(policy: Policy) -> list[tuple[str, str, str]]:
    """(url name, title, what it is) of each report the council's policy has."""
    found = [("reports:dashboard", "Dashboard", "Live figures and charts, with downloads.")]
    if kent.has_kent_reports(policy):
        found += [
            ("reports:wash_up", "Weekly Purchasing wash-up", "Per area, declines, slow "
             "answers, handbacks, long waits and returned referrals of a week."),
            ("reports:management", "Monthly management report", "Long waits, declines, "
             "handbacks, non-contracted placements, sanctions and enablement bypasses."),
            ("reports:variations", "Weekly variation report", "Changes to existing packages "
             "asked for in a week."),
        ]  # fmt: skip
    if policy.ehm_csv_every_weeks:
        found.append(
            ("reports:ehm_kpi", "EHM KPI", "Four-weekly EHM files per provider: due, in, "
             "overdue; visits planned and delivered.")
        )  # fmt: skip
    found.append(
        ("reports:tracker", "Tracker", "Every case: open, filled and closed, the providers "
         "approached and their answers, the placement agreements (.xlsx).")
    )  # fmt: skip
    return found


@require_GET
@staff_required
def report_index(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    policy, _ = policy_and_calendar(council)
    reports = available(policy)
    if getattr(request.user, "role", None) == Role.MANAGER:
        reports.append(
            ("reports:simulations", "Policy simulations", "Try a change to your policy on "
             "your own packages of the last weeks and compare it with your policy now.")
        )  # fmt: skip
    return render(request, "reports/index.html", {"council": council, "reports": reports})


def _red_days(policy: Policy) -> int:
    return (policy.waiting_list or DEFAULT_RULE).red_from_days


def _kent_only(policy: Policy) -> None:
    if not kent.has_kent_reports(policy):
        raise Http404("Your council's policy has no waiting list and handbacks: no such report.")


def _wash_up(c: Council, p: Policy, cal: WorkingCalendar, per: Period, now: datetime) -> Report:
    _kent_only(p)
    return kent.wash_up(c, cal, per, now, _red_days(p))


def _management(c: Council, p: Policy, cal: WorkingCalendar, per: Period, now: datetime) -> Report:
    _kent_only(p)
    return kent.management_report(c, cal, per, now, _red_days(p))


def _variations(c: Council, p: Policy, cal: WorkingCalendar, per: Period, now: datetime) -> Report:
    _kent_only(p)
    return kent.variation_report(c, per)


def _report_page(request: HttpRequest, kind: str, maker: Maker, url: str) -> HttpResponse:
    council = council_of(request)
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    period = read_period(kind, request.GET, now)
    report = maker(council, policy, calendar, period, now)
    if "format" in request.GET:
        return _download(request, council, report, period)
    typed = {
        key: request.GET.get(key, period.params().get(key, "")) for key in ("day", "month", "year")
    }
    return render(
        request,
        "reports/report.html",
        {
            "council": council,
            "report": report,
            "period": period,
            "kind": kind,
            "typed": typed,
            "url": url,
            "query": "&".join(f"{k}={v}" for k, v in period.params().items()),
        },
    )


def _download(
    request: HttpRequest, council: Council, report: Report, period: Period
) -> HttpResponse:
    figure, kind = request.GET.get("figure", "all"), request.GET.get("format", "xlsx")
    keys = [table.key for table in report.sections]
    if kind not in ("csv", "xlsx") or (figure != "all" and figure not in keys):
        raise Http404("No such download: choose a section of the report, as CSV or .xlsx.")
    if figure == "all" and kind == "csv":
        raise Http404("The whole report comes as a spreadsheet (.xlsx) only.")
    tables = report.sections if figure == "all" else [report.section(figure)]
    name = f"{council.slug} {report.title.lower()} {period.start:%Y %m %d}"
    if figure != "all":
        name += f" {tables[0].title.lower()}"
    return download(tables, name, kind)


@require_GET
@staff_required
def wash_up(request: HttpRequest) -> HttpResponse:
    return _report_page(request, "week", _wash_up, "reports:wash_up")


@require_GET
@staff_required
def management(request: HttpRequest) -> HttpResponse:
    return _report_page(request, "month", _management, "reports:management")


@require_GET
@staff_required
def variations(request: HttpRequest) -> HttpResponse:
    return _report_page(request, "week", _variations, "reports:variations")


@require_GET
@staff_required
def ehm(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    if not policy.ehm_csv_every_weeks:
        raise Http404("Your council's policy asks for no EHM files: no such report.")
    report = ehm_kpi(council, calendar, policy.ehm_csv_every_weeks, now)
    if "format" in request.GET:
        return _download(request, council, report, Period("week", now.date(), now.date()))
    return render(
        request,
        "reports/report.html",
        {"council": council, "report": report, "kind": None, "url": "reports:ehm_kpi"},
    )


@require_GET
@staff_required
def tracker(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    return render(request, "reports/tracker.html", {"council": council})


@require_GET
@staff_required
def tracker_download(request: HttpRequest) -> HttpResponse:
    """The same workbook as `carebroker export-tracker` (exchange/tracker.py), as of now."""
    council = council_of(request)
    now = timezone.now()
    response = HttpResponse(tracker_xlsx(council, now), content_type=XLSX)
    # The tracker names every package's person: each package's history shows the export.
    exported(request, "downloaded the tracker", Package.objects.filter(council=council))
    name = f"{now:%Y %m %d} {council.slug} tracker.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
