"""Today's batch per area (docs/policies.md §4.2): preview the packages that will go on it, then
issue it.

The preview reads each live package's engine state: a batch stage waiting for its issue
time at or before today's. Issuing is what the worker does at the issue time (16:00 in
Essex): each package due is ticked (`runner.do_tick`: its interest requests go out) and
the reports are queued (`provider_lists.send_batch_reports`, one email per provider and area).
A batch cannot be issued before its time: the policy fixes the time, not the broker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from carebroker.accounts.models import User
from carebroker.councils.models import Area
from carebroker.engine.policy import Policy, Stage
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.provider_lists import send_batch_reports
from carebroker.lib.london import LONDON
from carebroker.sourcing.models import Package, PackageStatus
from carebroker.sourcing.runner import do_tick, state_of
from carebroker.sourcing.urgency import package_is_urgent
from carebroker.web.forms.batch_reports import BatchReportForm
from carebroker.web.views.access import STAFF, _packages_for_user, role_required, the_user
from carebroker.web.views.outcomes import SERVICE_ERRORS
from carebroker.web.waiting_days import policy_and_calendar, today_in_london


@dataclass(frozen=True)
class AreaBatch:
    area: Area
    packages: list[Package]
    urgent: frozenset[int] = frozenset()  # the packages urgent by the one rule (§4.1)


def batch_stage(policy: Policy) -> Stage | None:
    return next((s for s in policy.stages if s.kind == "batch" and s.issue_at), None)


def issue_time(stage: Stage, calendar: WorkingCalendar, now: datetime) -> datetime | None:
    """Today's issue time, or None when today is not a working day (no batch today)."""
    today = today_in_london(now)
    if not calendar.is_working_day(today):
        return None
    assert stage.issue_at is not None
    return datetime.combine(today, stage.issue_at, tzinfo=LONDON)


def _on_batch(package: Package, stage: Stage, by: datetime) -> bool:
    if package.engine_state is None or package.held_reason:
        return False
    state = state_of(package)
    return any(
        run.name == stage.name
        and run.status == "active"
        and run.phase == "waiting"
        and run.due is not None
        and run.due <= by
        for run in state.runs
    )


def previews(user: User, stage: Stage, by: datetime) -> list[AreaBatch]:
    """Each area of the council with the packages going on its batch at `by`."""
    council = user.council
    assert council is not None
    found: dict[int, list[Package]] = defaultdict(list)
    live = (
        _packages_for_user(user)
        .filter(status=PackageStatus.SOURCING, next_due__isnull=False, next_due__lte=by)
        .select_related("area", "person", "referral")
        .order_by("case_number")
    )
    for package in live:
        if _on_batch(package, stage, by):
            found[package.area_id].append(package)
    policy, calendar = policy_and_calendar(council)
    urgent = frozenset(
        package.pk
        for rows in found.values()
        for package in rows
        if package_is_urgent(package, policy, calendar)
    )
    return [
        AreaBatch(area, found.get(area.pk, []), urgent) for area in council.areas.order_by("name")
    ]


@require_GET
@role_required(*STAFF)
def batch_page(request: HttpRequest) -> HttpResponse:
    user = the_user(request)
    council = user.council
    assert council is not None
    policy, calendar = policy_and_calendar(council)
    stage = batch_stage(policy)
    now = timezone.now()
    context: dict[str, object] = {
        "stage": stage,
        "now": now,
        "report_form": BatchReportForm(initial={"day": today_in_london(now)}),
    }
    if stage is not None:
        at = issue_time(stage, calendar, now)
        context["issue_at"] = at
        context["due"] = at is not None and at <= now
        context["areas"] = previews(user, stage, at) if at else []
    return render(request, "web/batch/page.html", context)


@require_POST
@role_required(*STAFF)
def issue(request: HttpRequest, area_id: int) -> HttpResponse:
    user = the_user(request)
    council = user.council
    assert council is not None
    area = council.areas.filter(pk=area_id).first()
    if area is None:
        raise Http404("No such area in your council.")
    policy, calendar = policy_and_calendar(council)
    stage = batch_stage(policy)
    now = timezone.now()
    at = issue_time(stage, calendar, now) if stage else None
    if stage is None or at is None:
        raise PermissionDenied("Your council's policy issues no batch today.")
    if now < at:
        messages.warning(request, f"The {area.name} batch cannot be issued before {at:%H:%M}.")
        return redirect("batch")
    batch = next(b for b in previews(user, stage, at) if b.area.pk == area.pk)
    issued, refused = [], []
    for package in batch.packages:
        try:
            do_tick(package, now)
        except SERVICE_ERRORS as error:
            refused.append(f"{package.case_number}: {error}")
        else:
            issued.append(package.case_number)
    send_batch_reports(now)
    if refused:
        messages.warning(request, "Not issued: " + "; ".join(refused))
    messages.success(
        request, f"{area.name} batch issued: {len(issued)} package{'s' * (len(issued) != 1)}."
    )
    return redirect("batch")
