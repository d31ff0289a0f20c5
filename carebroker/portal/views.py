"""The provider portal (issue 5 item 2): what was sent to MY organisation, anonymised.

Thin views: every object comes through a loader of `portal/access.py` (the permission
check), every answer goes to the engine through `portal/answers.py`. A page shows the
package's stored provider view (docs/policies.md §6.2), never its person; a provider's own
answers and rates, never another provider's. Each view reads the clock once.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebroker.accounts.models import User
from carebroker.audit.record import viewed
from carebroker.councils.models import Area, Council
from carebroker.engine.inputs import Answer
from carebroker.engine.policy import Stage
from carebroker.engine.stages import ASSESSMENT_RESULTS, assessing
from carebroker.engine.state import OPEN_OUTCOMES
from carebroker.engine.vocabulary import LIVE
from carebroker.exchange.interest import InterestImporter, InterestReport
from carebroker.exchange.sheets import ImportRefused
from carebroker.lib.london import london_date
from carebroker.placements.documents.passwords import reveal_once
from carebroker.portal import history_rows
from carebroker.portal.access import (
    _get_batch_report_for_provider,
    _get_document_for_provider,
    _get_request_for_provider,
    batch_reports_for_provider,
    documents_for_provider,
    provider_required,
    requests_for_provider,
    the_provider,
)
from carebroker.portal.answers import AnswerOutcome, do_provider_answer
from carebroker.portal.batch_rows import render_rows as render_batch_rows
from carebroker.portal.capacity import declarations_of, declare
from carebroker.portal.confirmation import council_asks_for_confirmation
from carebroker.portal.forms import (
    ANSWERS,
    CHANGE_ACTIONS,
    AnswerForm,
    CapacityForm,
    InterestForm,
    InterestReturnForm,
    RequestFilterForm,
    asks_rate,
)
from carebroker.portal.questions import questions_for
from carebroker.providers.models import Provider
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package, SourcingRequest
from carebroker.sourcing.runner import state_of

PAGE_SIZE = 50  # rows per list; the queries per page do not grow with it


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # provider_required ran first
    return user


def _open_requests(user: User) -> QuerySet[SourcingRequest]:
    return requests_for_provider(user).filter(outcome__in=OPEN_OUTCOMES, package__status__in=LIVE)


@provider_required
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest) -> HttpResponse:
    """Today's batch and the open requests, filtered; POST: interest in the ticked ones."""
    user = _user(request)
    provider = the_provider(user)
    now = timezone.now()
    open_rows = _open_requests(user)
    # Interest after the deadline is kept while the batch still runs (docs/policies.md §4.2):
    # an expired interest request stays on the list until the package leaves that stage.
    # The outcomes first, as a list on its own: the database then reads the provider's rows
    # of those outcomes through its index (request_provider_outcome), not all its requests.
    batch_rows = (
        requests_for_provider(user)
        .filter(outcome__in=(*OPEN_OUTCOMES, "expired"), round="interest", package__status__in=LIVE)
        .filter(Q(outcome__in=OPEN_OUTCOMES) | Q(package__stage=F("stage")))
    )
    posted = request.method == "POST"
    interest_form = InterestForm(
        request.POST if posted else None,
        # The choices matter only to check what was ticked: no query to show the page.
        choices=list(batch_rows.values_list("pk", "package__case_number")) if posted else [],
    )
    if request.method == "POST" and interest_form.is_valid():
        chosen = interest_form.cleaned_data["requests"]
        for row in batch_rows.filter(pk__in=chosen).order_by("package__case_number"):
            answer = Answer(at=now, provider=str(provider.pk), action="interest")
            _tell(request, do_provider_answer(row, answer, now))
        return HttpResponseRedirect(request.get_full_path())

    # Each distinct list of specialisms once (a few), not one per open request, unsorted.
    specialisms = sorted(
        {
            name
            for names in open_rows.order_by()
            .values_list("package__specialisms", flat=True)
            .distinct()
            for name in names or ()
        }
    )
    filters = RequestFilterForm(request.GET or None, specialisms=specialisms)
    order = ("deadline", "package__case_number")
    batch = list(_shown(_filtered(batch_rows, filters)).order_by(*order)[:PAGE_SIZE])
    others = list(
        _shown(_filtered(open_rows, filters)).exclude(round="interest").order_by(*order)[:PAGE_SIZE]
    )
    assessments = _assessments(_filtered(requests_for_provider(user), filters), provider)
    return render(
        request,
        "portal/requests.html",
        {
            "provider": provider,
            "now": now,
            "batch": batch,
            "batch_html": render_batch_rows(batch),
            "others": others,
            "assessments": assessments,
            "filters": filters,
            "interest_form": interest_form,
            "return_form": InterestReturnForm(),
            "page_size": PAGE_SIZE,
            # The provider's council is the user's (the_provider): the one already loaded.
            "has_batch": _has_batch(user.council),
        },
    )


# What the requests page shows of a batch or open request (portal/batch_rows.py and the
# open requests' table) and nothing else: the packages' other columns and their council
# and area, made and decoded for every row, were a third of the page (bench/README.md).
REQUEST_SHOWN = (
    "outcome", "deadline", "package__case_number", "package__urgent",
    "package__hospital_discharge", "package__emergency", "package__target_supply_area",
    "package__enhanced_rate", "package__provider_view", "package__hours_per_week",
    "package__preferred_start", "package__specialisms",
)  # fmt: skip


def _shown(rows: QuerySet[SourcingRequest]) -> QuerySet[SourcingRequest]:
    return rows.select_related(None).select_related("package").only(*REQUEST_SHOWN)


@dataclass(frozen=True)
class Assessing:
    """A request whose person we are assessing: the council waits for our result by `due`."""

    row: SourcingRequest
    due: datetime | None


def _assessments(rows: QuerySet[SourcingRequest], provider: Provider) -> list[Assessing]:
    """The requests whose assessment we must report on (docs/policies.md §4.2 Assessment).

    Asking to assess is an answer, so the request leaves the open requests; without this
    list the provider's requests page said nothing was waiting, while the award waited for
    its result (found by the Essex browser happy path). Few rows: one per running
    assessment of ours; each package's state says whether we are its assessor."""
    rows = rows.filter(outcome="assessment", not_awarded="", package__status__in=LIVE)
    found = []
    for row in rows.order_by("deadline", "package__case_number")[:PAGE_SIZE]:
        if row.package.engine_state is None:
            continue
        state = state_of(row.package)
        if not assessing(state, str(provider.pk)):
            continue
        dues = [r.due for r in state.runs if r.phase == "assessing" and r.due is not None]
        found.append(Assessing(row, min(dues) if dues else None))
    return found


@provider_required
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the provider view, its deadline, our answer so far; POST: answer it."""
    user = _user(request)
    provider = the_provider(user)
    row = _get_request_for_provider(user, pk)
    now = timezone.now()
    package = row.package
    stage = _stage_of(package, row.stage)
    kind = stage.kind if stage is not None else ""
    actions = ANSWERS.get((kind, row.round), ())
    answerable = row.outcome in OPEN_OUTCOMES and package.status in LIVE and bool(actions)
    # A tender's offer may be changed or withdrawn until the deadline (docs/policies.md §6.3).
    changing = (
        row.outcome == "offer" and kind == "tender" and package.status in LIVE
        and now <= row.deadline
    )  # fmt: skip
    if changing:
        actions, answerable = CHANGE_ACTIONS, True
    # The provider that asked to assess says afterwards whether it takes the package
    # (docs/policies.md §4.2 `assessment_done`), on the same request.
    assessed = (
        row.outcome == "assessment"
        and package.status in LIVE
        and assessing(state_of(package), str(provider.pk))
    )
    if assessed:
        actions, answerable = ASSESSMENT_RESULTS, True
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        actions=actions,
        kind=kind,
        now=now,
        asks_rate=stage is not None and asks_rate(policy_of(package.council), stage),
        changing=changing,
    )
    if request.method == "POST" and answerable and form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        part = data.get("coverage") == "part"
        text = None
        if action == "query":
            text = (data.get("text") or "").strip() or None
        elif action == "offer" and part:
            text = (data.get("part") or "").strip() or None  # which days or sessions
        if action in ASSESSMENT_RESULTS:
            answer = Answer(
                at=now,
                provider=str(provider.pk),
                action="assessment_done",
                accept=action == "assessment_accept",
                start=data.get("start") if action == "assessment_accept" else None,
            )
            _tell(request, do_provider_answer(row, answer, now))
            return redirect("portal:request", pk=row.pk)
        answer = Answer(
            at=now,
            provider=str(provider.pk),
            action=action,
            coverage=data.get("coverage") or None if action == "offer" else None,
            rate=data.get("rate") if action in ("offer", "accept") else None,
            start=data.get("start") if action in ("offer", "accept") else None,
            reason=data.get("reason") or None if action == "decline" else None,
            until=data.get("until") if action == "considering" else None,
            text=text,
        )
        _tell(request, do_provider_answer(row, answer, now))
        return redirect("portal:request", pk=row.pk)
    if request.method == "POST" and not answerable:
        messages.error(
            request, f"{package.case_number}: this request is closed; answers are not taken."
        )
        return redirect("portal:request", pk=row.pk)
    return render(
        request,
        "portal/request.html",
        {
            "row": row,
            "package": package,
            "view": package.provider_view or {},
            "won": package.awarded_provider_id == provider.pk,
            "now": now,
            "form": form,
            "answerable": answerable,
            "changing": changing,
            "assessed": assessed,
            "kind": kind,
            "remaining": _remaining(row.deadline, now),
            "questions": questions_for(package, provider),
            "can_ask": "query" in actions,
            "offer_part": _offer_part(package, provider),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@provider_required
@require_GET
def deadline_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The countdown of one request, refreshed by htmx every 30 seconds."""
    row = _get_request_for_provider(_user(request), pk)
    now = timezone.now()
    return render(
        request,
        "portal/_deadline.html",
        {"row": row, "now": now, "remaining": _remaining(row.deadline, now)},
    )


@provider_required
@require_GET
def history_page(request: HttpRequest) -> HttpResponse:
    """Every request sent to us, newest first, with our answer and how it ended for us."""
    user = _user(request)
    provider = the_provider(user)
    rows = (
        requests_for_provider(user)
        .select_related(None)
        .select_related("package")
        .only(*HISTORY_SHOWN)
        .order_by("-sent_at", "-pk")
    )
    page = _Counted(rows, PAGE_SIZE, _history_count(user, provider)).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    confirm = _confirmation_asked(shown, provider.pk, user)
    return render(
        request,
        "portal/history.html",
        {
            "provider": provider,
            "page": page,
            "rows": shown,
            "row_html": history_rows.render_rows(shown, provider.pk, confirm),
        },
    )


class _Counted(Paginator):
    """A paginator given its count (the history's, counted the cheap way)."""

    def __init__(self, rows: QuerySet[SourcingRequest], per_page: int, count: int) -> None:
        super().__init__(rows, per_page)
        self._given = count

    @property
    def count(self) -> int:
        return self._given


def _history_count(user: User, provider: Provider) -> int:
    """How many requests the history lists, counted through the requests' provider index
    alone. A request is only ever sent to a provider of its package's council (the market
    is built from the council's providers; sourcing/actions.py check_provider), and a
    provider's user is of the provider's council (accounts/models.py): so the provider's
    requests are the history's rows. Checking each one's package council instead joined
    5,000 requests to their packages, 30 to 40 ms a page at 100,000 packages (bench/README.md)."""
    if provider.council_id != user.council_id:  # never, by the rule above; count the slow way
        return requests_for_provider(user).count()
    return SourcingRequest.objects.filter(provider_id=provider.pk).count()


# What a history row shows (portal/history_rows.py) and nothing else: the packages' other
# columns (the provider view and the other JSON fields) were most of the page's time in
# making and decoding them at 100,000 packages (bench/README.md).
HISTORY_SHOWN = (
    "stage", "round", "sent_at", "outcome", "late", "coverage", "reason", "not_awarded",
    "rate", "package__case_number", "package__status", "package__awarded_provider_id",
)  # fmt: skip


def _confirmation_asked(rows: Iterable[SourcingRequest], provider_pk: int, user: User) -> set[str]:
    """The packages awarded to us whose council asks for a Provider Confirmation Form. The
    rows are all of the user's council (requests_for_provider), so its policy decides."""
    ours = {
        row.package.case_number for row in rows if row.package.awarded_provider_id == provider_pk
    }
    if not ours or user.council is None or not council_asks_for_confirmation(user.council):
        return set()
    return ours


@provider_required
@require_POST
def document_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an ISP's password, once, to the user of its provider who asks first
    (issue 11 finding 5: the ISP's password never travels by email)."""
    user = _user(request)
    provider = the_provider(user)
    document = _get_document_for_provider(user, pk)
    if not document.encrypted:
        raise Http404("This document opens without a password.")
    password = reveal_once(document, user, now=timezone.now())
    if password is None:
        messages.error(request, f"The password of {document.filename} has already been shown.")
        return redirect("portal:documents")
    viewed(request, "saw the ISP's password in the provider portal", document)
    response = render(
        request,
        "portal/document_password.html",
        {"provider": provider, "document": document, "password": password},
    )
    response["Cache-Control"] = "no-store"
    return response


@provider_required
@require_GET
def documents_page(request: HttpRequest) -> HttpResponse:
    """What the council sent us: ISPs and notices; the placement papers once we won."""
    user = _user(request)
    provider = the_provider(user)
    page = Paginator(documents_for_provider(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/documents.html",
        {
            "provider": provider,
            "page": page,
            "documents": list(page.object_list),
            "batch_reports": list(batch_reports_for_provider(user)[:PAGE_SIZE]),
            "has_batch": _has_batch(provider.council),
        },
    )


@provider_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document_for_provider(_user(request), pk)
    viewed(request, f"downloaded {document.get_kind_display()} from the provider portal", document)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@provider_required
@require_GET
def batch_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch report workbook sent to our contacts (exchange/provider_lists.py), to tick."""
    report = _get_batch_report_for_provider(_user(request), pk)
    response = HttpResponse(bytes(report.content), content_type=report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@provider_required
@require_http_methods(["GET", "POST"])
def interest_return(request: HttpRequest) -> HttpResponse:
    """Upload a ticked batch report: every ticked package is interest at the time the file
    arrived (docs/policies.md §4.2, seed 002); a refused file records nothing."""
    user = _user(request)
    provider = the_provider(user)
    if not _has_batch(provider.council):  # nothing to send back: say so, record nothing
        return render(request, "portal/interest_return.html", {"provider": provider})
    now = timezone.now()
    form = InterestReturnForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = _import_return(upload, provider, now)
        except ImportRefused as refused:
            for problem in refused.problems[:10]:
                form.add_error("file", problem)
        else:
            _tell_return(request, report)
            return redirect("portal:requests")
    return render(
        request,
        "portal/interest_return.html",
        {"provider": provider, "form": form, "has_batch": True},
        status=400 if form.is_bound and form.errors else 200,
    )


def _import_return(upload: UploadedFile, provider: Provider, now: datetime) -> InterestReport:
    """Run the importer on the upload, read in a child process with a memory limit
    (exchange/isolation.py). The upload's own name is only shown in messages, never used
    as a path: the file is saved under a fixed name."""
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", Path(str(upload.name)).name)[:100] or "return.xlsx"
    suffix = ".csv" if name.lower().endswith(".csv") else ".xlsx"
    with tempfile.TemporaryDirectory(prefix="carebroker-return-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        importer = InterestImporter(provider.council, provider, now=now)
        return importer.handle(path, name=name, isolated=True)


def _tell_return(request: HttpRequest, report: InterestReport) -> None:
    counted = report.recorded + report.late + report.already
    if counted:
        parts = []
        if report.recorded:
            parts.append(f"interest recorded in {', '.join(report.recorded)}")
        if report.late:
            parts.append(
                f"late interest kept in {', '.join(report.late)} (after the deadline, kept "
                "for a further offer round)"
            )
        if report.already:
            parts.append(f"already recorded: {', '.join(report.already)}")
        messages.success(request, "Your return was read: " + "; ".join(parts) + ".")
    elif not report.not_counted:
        messages.info(request, "Your return was read: no packages were ticked.")
    for case, why in report.not_counted:
        messages.error(request, f"{case}: not counted: {why}")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial page for load balancers and the web benchmark's floor: no database."""
    return HttpResponse("OK\n", content_type="text/plain")


def _filtered(
    rows: QuerySet[SourcingRequest], filters: RequestFilterForm
) -> QuerySet[SourcingRequest]:
    if not filters.is_valid():
        return rows
    district = filters.cleaned_data["district"]
    if district:  # the provider view keeps the district and one inward digit ("CO4 3")
        rows = rows.filter(
            Q(package__provider_view__postcode__istartswith=f"{district} ")
            | Q(package__provider_view__postcode__iexact=district)
        )
    specialism = filters.cleaned_data["specialism"]
    if specialism:  # a JSON list: match the quoted name, on SQLite and PostgreSQL alike
        rows = rows.filter(package__specialisms__icontains=f'"{specialism}"')
    return rows


def _offer_part(package: Package, provider: Provider) -> str:
    """Which part our latest part offer covers (the engine's offer event), or ""."""
    event = (
        package.timeline.filter(type="offer", details__provider=str(provider.pk))
        .order_by("-id")
        .first()
    )
    return str(event.details.get("part", "")) if event is not None else ""


def _has_batch(council: Council | None) -> bool:
    """Whether the provider's council issues a batch (Essex, docs/policies.md §4.2): only then
    are there batch reports to tick and send back."""
    return council is not None and any(stage.kind == "batch" for stage in policy_of(council).stages)


def _stage_of(package: Package, stage: str) -> Stage | None:
    """The request's stage; None when the council's policy no longer has it (edited since
    the request was sent): the page shows, but takes no answer."""
    stages = {s.name: s for s in policy_of(package.council).stages}
    return stages.get(stage)


def _tell(request: HttpRequest, outcome: AnswerOutcome) -> None:
    (messages.success if outcome.counted else messages.error)(request, outcome.message)


def _remaining(deadline: datetime, now: datetime) -> str:
    """ "2 hours 5 minutes left", or "" once passed (the template says it has passed)."""
    seconds = int((deadline - now).total_seconds())
    if seconds < 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not parts):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) + " left"


@provider_required
@require_http_methods(["GET", "POST"])
def capacity_page(request: HttpRequest) -> HttpResponse:
    """What we can take per area until a day (docs/policies.md §8); POST declares one area."""
    user = _user(request)
    provider = the_provider(user)
    now = timezone.now()
    today = london_date(now)
    served = Area.objects.filter(provider_ranks__provider=provider).order_by("name")
    areas = list(served) or list(Area.objects.filter(council=provider.council).order_by("name"))
    choices = [(str(area.pk), area.name) for area in areas]
    form = CapacityForm(request.POST or None, areas=choices, today=today)
    if request.method == "POST" and form.is_valid():
        area = next(a for a in areas if str(a.pk) == form.cleaned_data["area"])
        declare(
            provider,
            area,
            form.cleaned_data["unit"],
            form.cleaned_data["amount"],
            form.cleaned_data["until"],
            user,
            now,
        )
        messages.success(request, f"Your capacity in {area.name} is saved.")
        return redirect("portal:capacity")
    rows = [(row, row.stale(today)) for row in declarations_of(provider)]
    return render(
        request, "portal/capacity.html", {"provider": provider, "form": form, "rows": rows}
    )
