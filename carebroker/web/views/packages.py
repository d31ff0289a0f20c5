"""The broker's packages: the list to be placed, the package page and its actions.

Every change goes through `carebroker.sourcing.actions` (phone answer, award by hand, hold,
release, cancel); a view reads the clock once and passes `now` down.
"""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.accounts.models import Role, User
from carebroker.audit.record import viewed
from carebroker.engine.awards import weighted_scores
from carebroker.engine.vocabulary import LIVE
from carebroker.lib.london import london_date
from carebroker.placements.documents.facts import provider_view_of
from carebroker.placements.documents.store import documents_for
from carebroker.placements.models import PlacementDocument
from carebroker.providers.models import CapacityDeclaration, Provider
from carebroker.providers.words import capacity_words
from carebroker.sourcing.handback_tasks import TYPES as HANDBACK_TYPES
from carebroker.sourcing.handback_tasks import open_call
from carebroker.sourcing.market_db import market_of
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest
from carebroker.sourcing.placements import placement_summary
from carebroker.web import keyset
from carebroker.web.access_history import access_history
from carebroker.web.after_award_steps import after_award_context
from carebroker.web.forms.countersign import countersign_section
from carebroker.web.forms.packages import AwardForm, PackageFilterForm, ReasonForm
from carebroker.web.forms.purchase_order import purchase_order_section
from carebroker.web.list_rows import render_rows
from carebroker.web.views.access import (
    STAFF,
    _get_package_for_user,
    _packages_for_user,
    role_required,
    the_user,
)
from carebroker.web.views.gates import decided_by
from carebroker.web.views.package_questions import questions_of
from carebroker.web.waiting_days import (
    grace_ends,
    policy_and_calendar,
    rag_bounds,
    rag_condition,
    waiting_rows,
    with_grace_ends,
)
from carebroker.web.words import event_details, owner_words, stage_words

PER_PAGE = 50
URGENT = Q(urgent=True) | Q(hospital_discharge=True) | Q(emergency=True)


@require_GET
@role_required(*STAFF)
def package_list(request: HttpRequest) -> HttpResponse:
    """Packages to be placed: filter by area, status, stage, urgency and RAG; longest waiting
    first; counts at the top. A fixed number of queries whatever the number of rows."""
    if request.GET.get("clear"):
        request.session.pop(LIST_QUERY, None)
        return redirect("packages")
    saved = list_query(request)
    if not request.GET and saved:
        # Filters survive navigation: back to the list as the broker left it.
        return redirect(f"{reverse('packages')}?{saved}")
    user = the_user(request)
    now = timezone.now()
    council = user.council
    assert council is not None
    policy, calendar = policy_and_calendar(council)
    rule = policy.waiting_list
    form = PackageFilterForm(
        request.GET or None,
        areas=council.areas.order_by("name"),
        stages=[(s.name, stage_words(s.name, council.policy_name)) for s in policy.stages],
    )
    chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    live = _packages_for_user(user).filter(status__in=LIVE)
    rows = live
    if chosen.get("q"):
        rows = rows.filter(_search(chosen["q"]))
    if chosen.get("area"):
        rows = rows.filter(area=chosen["area"])
    if chosen.get("status"):
        rows = rows.filter(status=chosen["status"])
    if chosen.get("stage"):
        rows = rows.filter(stage=chosen["stage"])
    if chosen.get("urgency") == "urgent":
        rows = rows.filter(URGENT)
    elif chosen.get("urgency") == "routine":
        rows = rows.exclude(URGENT)
    bounds = rag_bounds(rule, calendar, now) if rule else {}
    if chosen.get("rag") and rule:
        rows = rows.filter(rag_condition(bounds[chosen["rag"]]))
    counts = _counts(live, bounds)
    sort = chosen.get("sort") or "longest"
    keys = SORT_KEYS.get(sort, SORT_KEYS["longest"])
    # Keyset pages (web/keyset.py): a page starts after the last row of the one before.
    page = keyset.page_of(
        rows,
        keys,
        PER_PAGE,
        after=request.GET.get(keyset.AFTER, ""),
        before=request.GET.get(keyset.BEFORE, ""),
        load=_shown,
        # Unfiltered, the rows are the live packages the counts above counted already.
        total=counts["all"] if rows is live else None,
    )
    query = request.GET.copy()
    for name in (keyset.AFTER, keyset.BEFORE, "page"):
        query.pop(name, None)
    if saved != query.urlencode():  # the list as the broker left it (written only on a change)
        request.session[LIST_QUERY] = query.urlencode()
    shown = waiting_rows(page.rows, calendar, rule, now, grace_ends(page.rows))
    return render(
        request,
        "web/packages/list.html",
        {
            "form": form,
            "page": page,
            "rows": shown,
            "row_html": render_rows(shown, rule is not None, council.policy_name),
            "counts": counts,
            "has_rag": rule is not None,
            "query": query.urlencode(),
            "sort": sort,
            "now": now,
        },
    )


LIST_QUERY = "packages_query"
# Each sort ends with the Mosaic ID, unique in a council: the order is total, as keyset
# pages need. Waiting longest is waiting from earliest (web/waiting_days.py); packages not
# waiting (a self-funder in its grace) come last.
WAITING = "waiting_from"
MOSAIC = keyset.Key("case_number")
SORT_KEYS: dict[str, tuple[keyset.Key, ...]] = {
    "longest": (keyset.Key(WAITING, kind="datetime", nullable=True), MOSAIC),
    "shortest": (keyset.Key(WAITING, descending=True, kind="datetime", nullable=True), MOSAIC),
    "name": (keyset.Key("person__name"), MOSAIC),
    "start": (keyset.Key("preferred_start", kind="date"), MOSAIC),
    "mosaic": (MOSAIC,),
}


# What a row shows (web/list_rows.py), its days waiting (web/waiting_days.py) and the sort
# keys of the page's edges (SORT_KEYS): nothing else is read.
SHOWN = (
    "case_number", "urgent", "hospital_discharge", "emergency", "status", "gate", "stage",
    "hours_per_week", "preferred_start", "next_due", "waiting_from", "awarded_at",
    "person__name", "area__name",
)  # fmt: skip


def _shown(rows: QuerySet[Package]) -> QuerySet[Package]:
    """What the list shows of a page's packages, and only that. The engine's snapshot (15 kB
    a package at the demo's size) was half the page's time once (bench/pages.py); the other
    columns (the provider view and the other JSON fields, the referral) cost a third of
    the list's time at 100,000 packages in making and decoding them (bench/README.md)."""
    return with_grace_ends(rows.select_related("area", "person")).only(*SHOWN)


def _search(text: str) -> Q:
    """A name (any part), a Mosaic ID (its start) or a postcode (spaces ignored)."""
    text = text.strip()
    found = Q(person__name__icontains=text) | Q(case_number__startswith=text)
    squashed = text.replace(" ", "").upper()
    if squashed:
        found |= Q(person__postcode__iexact=text) | Q(person__postcode__istartswith=text.upper())
        if len(squashed) > 4:  # a full postcode typed without its space
            found |= Q(person__postcode__iexact=f"{squashed[:-3]} {squashed[-3:]}")
    return found


def list_query(request: HttpRequest) -> str:
    """The package list's filters as the broker last left them (for links back to it)."""
    return str(request.session.get(LIST_QUERY, ""))


def _counts(live: QuerySet[Package], bounds: dict[str, tuple[Any, Any]]) -> dict[str, int]:
    """Every count at the top of the list in one query."""
    aggregates: dict[str, Any] = {
        "all": Count("id"),
        "sourcing": Count("id", filter=Q(status=PackageStatus.SOURCING)),
        "on_hold": Count("id", filter=Q(status=PackageStatus.ON_HOLD)),
        "held": Count("id", filter=Q(status=PackageStatus.HELD)),
        "urgent": Count("id", filter=URGENT),
    }
    for rag, bound in bounds.items():
        aggregates[rag] = Count("id", filter=rag_condition(bound))
    return live.aggregate(**aggregates)


# -- the package page ----------------------------------------------------------------


@require_GET
@role_required(*STAFF)
def package_page(request: HttpRequest, case_number: str) -> HttpResponse:
    user = the_user(request)
    package = _get_package_for_user(user, case_number)
    viewed(request, "the package page", package)
    return render_package(request, user, package, timezone.now())


def render_package(
    request: HttpRequest,
    user: User,
    package: Package,
    now: Any,
    status: int = 200,
    **bound: Any,
) -> HttpResponse:
    """The package page; `bound` forms (in error) replace the empty ones."""
    council_providers = Provider.objects.filter(council_id=package.council_id).order_by("name")
    requests = _requests_of(package, now)
    names = dict(council_providers.values_list("pk", "name"))
    policy, calendar = policy_and_calendar(package.council)
    rows = waiting_rows([package], calendar, policy.waiting_list, now, grace_ends([package]))
    live = package.status in LIVE
    forms: dict[str, Any] = {
        "award_form": AwardForm(providers=council_providers, prefix="award"),
        "hold_form": ReasonForm(prefix="hold"),
    }
    forms.update(after_award_context(package, now))  # Kent after acceptance
    query_form = bound.pop("query_form", None)
    countersign = countersign_section(package, now, bound.pop("countersign_form", None))
    orders = purchase_order_section(package, bound.pop("purchase_order_form", None))
    questions = questions_of(package, names, query_form)
    forms.update(bound)
    return render(
        request,
        "web/packages/page.html",
        {
            "package": package,
            "person": package.person,
            "provider_view": provider_view_of(package),
            "requests": requests,
            "counting": _counting(requests),
            "timeline": _timeline(package, names),
            "questions": questions,
            "query_form": query_form,
            "documents": documents_for(package),
            "countersign": countersign,
            "placement": placement_summary(package),
            "purchase_orders": orders,
            "handback_call": _handback_call(package, names, now),
            "waiting": rows[0],
            "gate_owner": owner_words(decided_by(policy, package.gate), package.council.policy_name)
            if package.gate
            else "",
            "live": live,
            "can_manage": user.role in STAFF,
            "is_manager": user.role == Role.MANAGER,
            "considering": any(r.outcome == "considering" for r in requests),
            "weighted": weighted_award(package, policy, requests),
            # Managers see who looked at the record (after this view, so it is listed).
            "access_history": access_history(package) if user.role == Role.MANAGER else None,
            "now": now,
            "list_query": list_query(request),
            **forms,
        },
        status=status,
    )


def _handback_call(package: Package, names: dict[int, str], now: Any) -> dict[str, Any] | None:
    """The manager's call with a provider handing several packages back, while not held."""
    rows = package.timeline.filter(type__in=HANDBACK_TYPES).order_by("at", "pk")
    call = open_call(rows)
    if call is None:
        return None
    name = names.get(int(call.provider)) if call.provider.isdigit() else None
    return {"provider": name or "The provider", "due": call.due, "overdue": call.due <= now}


def weighted_award(package: Package, policy: Any, requests: list[SourcingRequest]) -> Any:
    """Under a `weighted` award (docs/policies.md §9): the stage's weights and each competing
    offer's scores, the winner first, as the engine computed them; else None."""
    winner = next(
        (
            r
            for r in requests
            if r.provider_id == package.awarded_provider_id and r.outcome == "offer"
        ),
        None,
    )
    if winner is None:
        return None
    try:
        stage = policy.stage(winner.stage)
    except KeyError:
        return None
    if stage.award != "weighted" or stage.weights is None:
        return None
    offers = [
        r
        for r in requests
        if r.stage == winner.stage and r.outcome == "offer" and r.coverage == winner.coverage
    ]
    market = market_of(package.council, policy)

    def quality(provider_id: str) -> tuple[str | None, Any]:
        found = market.provider(provider_id)
        return (found.cqc_rating, found.delivery) if found else (None, None)

    names = {str(r.provider_id): r.provider.name for r in offers}
    scores = weighted_scores([(str(r.provider_id), r.rate) for r in offers], stage.weights, quality)
    scores.sort(key=lambda score: (score.provider != str(winner.provider_id), -score.total))
    return {
        "weights": stage.weights,
        "rows": [(names[score.provider], score) for score in scores],
    }


def _requests_of(package: Package, now: Any | None = None) -> list[SourcingRequest]:
    """The package's requests, each with `capacity_note`: what its provider declared for the
    package's area (docs/policies.md §8), in words, flagged when out of date."""
    requests = list(
        SourcingRequest.objects.filter(package=package).select_related("provider").order_by("seq")
    )
    today = london_date(now or timezone.now())
    declared = {
        row.provider_id: row
        for row in CapacityDeclaration.objects.filter(
            area_id=package.area_id, provider__council_id=package.council_id
        )
    }
    for request in requests:
        request.capacity_note = capacity_words(declared.get(request.provider_id), today)  # type: ignore[attr-defined]
    return requests


def _counting(requests: list[SourcingRequest]) -> bool:
    """Whether a deadline is running: the fragment refreshes itself only then."""
    return any(request.outcome in ("open", "considering") for request in requests)


def _timeline(package: Package, names: dict[int, str]) -> list[tuple[Any, str]]:
    """Each event with its details in words (web/words.py): provider ids as names, codes,
    times and documents in words, the engine's bookkeeping left out."""
    policy_name = package.council.policy_name
    return [
        (event, event_details(event.type, event.details or {}, names, policy_name))
        for event in package.timeline.order_by("id")
    ]


@require_GET
@role_required(*STAFF)
def package_requests(request: HttpRequest, case_number: str) -> HttpResponse:
    """The requests with their deadlines counting down: the htmx fragment, every 30 seconds."""
    user = the_user(request)
    package = _get_package_for_user(user, case_number)
    now = timezone.now()
    requests = _requests_of(package, now)
    return render(
        request,
        "web/packages/_requests.html",
        {
            "package": package,
            "requests": requests,
            "counting": _counting(requests),
            "now": now,
        },
    )


@require_GET
@role_required(*STAFF)
def package_document(request: HttpRequest, case_number: str, pk: int) -> HttpResponse:
    """One of the package's documents, downloaded as kept (an ISP stays encrypted)."""
    user = the_user(request)
    package = _get_package_for_user(user, case_number)
    document = PlacementDocument.objects.filter(package=package, pk=pk).first()
    if document is None:
        raise Http404("No such document for this package.")
    viewed(request, f"downloaded {document.get_kind_display()}", document)
    return FileResponse(
        io.BytesIO(bytes(document.content)),
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type,
    )
