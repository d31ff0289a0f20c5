"""The manager's waiting list by RAG with its escalations, and the overview per area
(docs/policies.md §5 waiting list: amber from 5 working days, red from 10 in Kent), with the
awards by hand that overrode a tender's deadline (docs/policies.md §6.3, §7)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.engine.vocabulary import LIVE
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package, PackageStatus, TimelineEvent
from carebroker.sourcing.waiting_list import RAG_EVENT
from carebroker.web.views.access import MANAGERS, _packages_for_user, role_required, the_user
from carebroker.web.waiting_days import (
    policy_and_calendar,
    rag_bounds,
    rag_condition,
    waiting_rows,
)

PER_PAGE = 50
OVERRIDES_SHOWN = 50
RAG_ORDER = ("red", "amber", "green")
OVERRIDE_EVENT = "award_override"  # engine/by_hand.py


@require_GET
@role_required(*MANAGERS)
def waiting_page(request: HttpRequest) -> HttpResponse:
    """Live packages waiting (accepted, and out of any self-funder's grace), longest waiting
    first, with RAG and the
    escalations raised for each (the amber prompt, the red escalation to the Team Manager)."""
    user = the_user(request)
    council = user.council
    assert council is not None
    now = timezone.now()
    policy, calendar = policy_and_calendar(council)
    rule = policy.waiting_list
    # On the waiting list: live and waiting (sourcing/waiting_from.py): a self-funder in its
    # grace is not, and each one waits from its own start (acceptance, grace end, handback).
    waiting = _packages_for_user(user).filter(status__in=LIVE, waiting_from__isnull=False)
    bounds = rag_bounds(rule, calendar, now) if rule else {}
    counts = waiting.aggregate(
        all=Count("id"), **{rag: Count("id", filter=rag_condition(b)) for rag, b in bounds.items()}
    )
    rag = request.GET.get("rag", "")
    rows = waiting.filter(rag_condition(bounds[rag])) if rag in bounds else waiting
    # No list reads the engine's snapshot (15 kB a package): not loaded (bench/pages.py).
    rows = (
        rows.select_related("area", "referral", "person")
        .defer("engine_state")
        .order_by(F("waiting_from").asc(), "case_number")
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
    overrides = _overrides(packages)
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
            "overrides": overrides,
        },
    )


def _overrides(packages: QuerySet[Package]) -> list[dict[str, Any]]:
    """The latest awards by hand before a tender's deadline, newest first, in words."""
    events = list(
        TimelineEvent.objects.filter(package__in=packages, type=OVERRIDE_EVENT)
        .select_related("package")
        .order_by("-at", "-id")[:OVERRIDES_SHOWN]
    )
    ids = {int(p) for e in events if str(p := e.details.get("provider", "")).isdigit()}
    names = dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for event in events:
        details = event.details or {}
        provider = str(details.get("provider", ""))
        deadline = details.get("deadline")
        rows.append(
            {
                "package": event.package,
                "at": event.at,
                "actor": event.actor,
                "provider": names.get(int(provider), provider) if provider.isdigit() else provider,
                "reason": details.get("reason", ""),
                "override_reason": details.get("override_reason", ""),
                "deadline": datetime.fromisoformat(deadline) if deadline else None,
            }
        )
    return rows
