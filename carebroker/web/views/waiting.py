"""The manager's waiting list by RAG with its escalations, and the overview per area
(docs/policies.md §5 waiting list: amber from 5 working days, red from 10 in Kent)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.engine.vocabulary import LIVE
from carebroker.sourcing.models import PackageStatus, TimelineEvent
from carebroker.sourcing.waiting_list import RAG_EVENT
from carebroker.web.views.access import MANAGERS, _packages_for_user, role_required, the_user
from carebroker.web.waiting_days import (
    policy_and_calendar,
    rag_bounds,
    rag_condition,
    waiting_rows,
)

PER_PAGE = 50
RAG_ORDER = ("red", "amber", "green")


@require_GET
@role_required(*MANAGERS)
def waiting_page(request: HttpRequest) -> HttpResponse:
    """Live packages whose referral was accepted, longest waiting first, with RAG and the
    escalations raised for each (the amber prompt, the red escalation to the Team Manager)."""
    user = the_user(request)
    council = user.council
    assert council is not None
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    rule = policy.waiting_list
    waiting = _packages_for_user(user).filter(status__in=LIVE, referral__accepted_at__isnull=False)
    bounds = rag_bounds(rule, calendar, now) if rule else {}
    counts = waiting.aggregate(
        all=Count("id"), **{rag: Count("id", filter=rag_condition(b)) for rag, b in bounds.items()}
    )
    rag = request.GET.get("rag", "")
    rows = waiting.filter(rag_condition(bounds[rag])) if rag in bounds else waiting
    rows = rows.select_related("area", "referral", "person").order_by(
        F("referral__accepted_at").asc(), "case_number"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    escalations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for package_id, at, details in (
        TimelineEvent.objects.filter(package__in=shown, type=RAG_EVENT)
        .order_by("at", "id")
        .values_list("package_id", "at", "details")
    ):
        escalations[package_id].append({"at": at, **(details or {})})
    rows_shown = waiting_rows(shown, calendar, rule, now)
    lines = [(row, escalations.get(row.package.pk, [])) for row in rows_shown]
    return render(
        request,
        "web/waiting/list.html",
        {
            "rule": rule,
            "counts": counts,
            "rag": rag,
            "rags": [r for r in RAG_ORDER if r in bounds],
            "page": page,
            "lines": lines,
            "query": f"rag={rag}" if rag in bounds else "",
        },
    )


@require_GET
@role_required(*MANAGERS)
def overview(request: HttpRequest) -> HttpResponse:
    """Per area: packages by status, and how many live ones are amber and red."""
    user = the_user(request)
    council = user.council
    assert council is not None
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    rule = policy.waiting_list
    packages = _packages_for_user(user)
    by_area: dict[str, dict[str, int]] = defaultdict(dict)
    for area, status, count in (
        packages.values_list("area__name", "status").annotate(n=Count("id")).order_by()
    ):
        by_area[area][status] = count
    bounds = rag_bounds(rule, calendar, now) if rule else {}
    if bounds:
        live = packages.filter(status__in=LIVE)
        for row in (
            live.values("area__name")
            .annotate(
                amber=Count("id", filter=rag_condition(bounds["amber"])),
                red=Count("id", filter=rag_condition(bounds["red"])),
            )
            .order_by()
        ):
            by_area[row["area__name"]]["amber"] = row["amber"]
            by_area[row["area__name"]]["red"] = row["red"]
    areas = list(council.areas.order_by("name").values_list("name", flat=True))
    statuses = PackageStatus.choices
    table = [
        (area, [by_area[area].get(value, 0) for value, _ in statuses],
         by_area[area].get("amber", 0), by_area[area].get("red", 0))
        for area in areas
    ]  # fmt: skip
    totals = [sum(row[1][i] for row in table) for i in range(len(statuses))]
    return render(
        request,
        "web/waiting/overview.html",
        {
            "statuses": statuses,
            "table": table,
            "totals": totals,
            "has_rag": bool(bounds),
            "total_amber": sum(row[2] for row in table),
            "total_red": sum(row[3] for row in table),
        },
    )
