"""The policy simulator's pages (issue 13): the list of runs, the form to start one, a run's
progress (htmx asks again every few seconds) and its result beside the charts, with
downloads. A manager's only: a simulation shows how the council's policy could change.
Another council's run, or an id that is none, is a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carebroker.accounts.models import Role, User
from carebroker.reports import charts
from carebroker.reports.access import council_of, staff_required
from carebroker.reports.models import Simulation
from carebroker.reports.simulator import policy_text, start
from carebroker.reports.simulator_form import SimulationForm
from carebroker.reports.simulator_tables import CURRENT, EDITED, policy_changes, result_tables
from carebroker.reports.views import Figure, download

REFRESH_SECONDS = 2
DEFAULT_WEEKS = 8
BOTH = (CURRENT, EDITED)

View = Callable[..., HttpResponse]


def manager_required(view: View) -> View:
    """A council's manager only (a broker gets 403); staff_required checks the rest."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or user.role != Role.MANAGER:
            raise PermissionDenied("Only a manager can run policy simulations.")
        return view(request, *args, **kwargs)

    return staff_required(checked)


def _simulation(request: HttpRequest, pk: int) -> Simulation:
    return get_object_or_404(Simulation, pk=pk, council=council_of(request))


@require_GET
@manager_required
def simulation_list(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    runs = Simulation.objects.filter(council=council).select_related("created_by")[:100]
    return render(request, "reports/simulations.html", {"council": council, "runs": runs})


@require_http_methods(["GET", "POST"])
@manager_required
def simulation_new(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    if request.method == "POST":
        form = SimulationForm(request.POST)
        if form.is_valid():
            user = request.user
            assert isinstance(user, User)
            simulation = start(
                council,
                user,
                form.cleaned_data["name"],
                form.cleaned_data["weeks"],
                form.cleaned_data["policy"],
                timezone.now(),
            )
            return redirect("reports:simulation", pk=simulation.pk)
        status = 400
    else:
        form = SimulationForm(initial={"weeks": DEFAULT_WEEKS, "policy": policy_text(council)})
        status = 200
    return render(
        request, "reports/simulation_new.html", {"council": council, "form": form}, status=status
    )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@require_GET
@manager_required
def simulation_page(request: HttpRequest, pk: int) -> HttpResponse:
    simulation = _simulation(request, pk)
    context: dict[str, Any] = {
        "council": simulation.council,
        "simulation": simulation,
        "changes": policy_changes(simulation.current_policy, simulation.edited_policy),
    }
    if simulation.result is not None:
        context.update(_result_context(simulation))
    return render(request, "reports/simulation.html", context)


@require_GET
@manager_required
def simulation_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress part alone, for htmx; once the run is over the page reloads whole."""
    simulation = _simulation(request, pk)
    response = render(
        request,
        "reports/_simulation_progress.html",
        {"simulation": simulation, "refresh": REFRESH_SECONDS},
    )
    if simulation.done:
        response["HX-Refresh"] = "true"
    return response


def _result_context(simulation: Simulation) -> dict[str, Any]:
    result = simulation.result
    assert result is not None
    summary, outcomes, hours, requests, weeks = result_tables(result)
    fitted = result["fit"]
    figures = [
        Figure(summary, None, wide=True),
        Figure(outcomes, charts.bars(outcomes, BOTH)),
        Figure(
            hours,
            charts.bars(hours, BOTH),
            note="Working hours count only the council's working day, from the referral to "
            "the award, over the packages placed.",
        ),
        Figure(
            requests,
            charts.bars(requests, BOTH),
            note="Every request sent, over every package placed.",
        ),
        Figure(
            weeks,
            charts.bars(weeks, ("Placed, current policy", "Placed, edited policy")),
            wide=True,
        ),
    ]
    return {
        "figures": figures,
        "window_from": _moment(result["from"]),
        "window_to": _moment(result["to"]),
        "replayed": result["packages"],
        "providers": result["providers"],
        "fit": {
            **fitted,
            "yes": round(100 * fitted["yes"]),
            "no": round(100 * fitted["no"]),
            "silent": round(100 * fitted["silent"]),
            "interest": None if fitted["interest"] is None else round(100 * fitted["interest"]),
            "median_hours": None
            if fitted["median_minutes"] is None
            else round(fitted["median_minutes"] / 60, 1),
        },
    }


@require_GET
@manager_required
def simulation_download(request: HttpRequest, pk: int) -> HttpResponse:
    """?figure=KEY (or all) &format=csv|xlsx: the result's tables as on the page."""
    simulation = _simulation(request, pk)
    if simulation.result is None:
        raise Http404("This simulation has no result yet.")
    tables = {table.key: table for table in result_tables(simulation.result)}
    figure, kind = request.GET.get("figure", "all"), request.GET.get("format", "xlsx")
    if kind not in ("csv", "xlsx") or (figure != "all" and figure not in tables):
        raise Http404("No such download: choose a figure of the result, as CSV or .xlsx.")
    if figure == "all" and kind == "csv":
        raise Http404("Every figure at once comes as a spreadsheet (.xlsx) only.")
    chosen = list(tables.values()) if figure == "all" else [tables[figure]]
    name = f"{simulation.council.slug} simulation {simulation.pk} {simulation.name}"
    if figure != "all":
        name += f" {chosen[0].title.lower()}"
    return download(chosen, name, kind)
