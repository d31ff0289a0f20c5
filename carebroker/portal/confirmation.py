"""Kent's Provider Confirmation Form, returned in the portal (docs/policies.md §5 After
acceptance; seed 003): the winner gives the start date, the call times and notes about the
carers. It reaches the package as the provider's `confirm` answer through the one write path
(`runner.record_answer`); the engine then starts the Service Delivery Order and financial
assessment clocks. A start date before today is refused on its field and nothing changes
(the engine refuses it too, for a confirmation taken any other way).

Only a council whose policy has the after-acceptance clocks (Kent) asks for the form; for
any other the page is not found.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.engine.inputs import Answer
from carebroker.engine.vocabulary import AnswerAction, EventType
from carebroker.placements.confirmation_form import ConfirmationForm
from carebroker.portal.access import (
    _get_awarded_package_for_provider,
    provider_required,
    the_provider,
)
from carebroker.sourcing import runner
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package
from carebroker.sourcing.placements import placement_summary
from carebroker.sourcing.runner import Taken


def asks_for_confirmation(package: Package) -> bool:
    """The council's policy asks the winner for a Provider Confirmation Form (Kent)."""
    return council_asks_for_confirmation(package.council)


def council_asks_for_confirmation(council: Council) -> bool:
    """`asks_for_confirmation` for any package of `council`: its policy alone, read from the
    one cache (building the council's market for it was 5 ms of each history page)."""
    return policy_of(council).after_acceptance is not None


def do_confirm(user: User, package: Package, form: ConfirmationForm, now: datetime) -> str | None:
    """The form's answer to the engine; the reason it was refused, or None when recorded."""
    data = form.cleaned_data
    answer = Answer(
        at=now,
        provider=str(user.provider_id),
        action=AnswerAction.CONFIRM,
        start=data["start"],
        call_times=data["call_times"].strip(),
        text=data["carer_notes"].strip() or None,
    )
    outcome = runner.record_answer(package, answer, now=now)
    if outcome.taken is Taken.REFUSED:
        return outcome.why
    return None


@provider_required
@require_http_methods(["GET", "POST"])
def confirmation(request: HttpRequest, case_number: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # provider_required ran first
    provider = the_provider(user)
    package = _get_awarded_package_for_provider(user, case_number)
    if not asks_for_confirmation(package):
        raise Http404("This council asks for no Provider Confirmation Form.")
    now = timezone.now()
    posted = request.method == "POST"
    form = ConfirmationForm(request.POST if posted else None, now=now)
    if posted and form.is_valid():
        refused = do_confirm(user, package, form, now)
        if refused is None:
            messages.success(
                request,
                f"Thank you: your Provider Confirmation Form for package {package.case_number} "
                "is sent. The council will send you the Service Delivery Order.",
            )
            return redirect("portal:history")
        why = refused[:1].upper() + refused[1:]
        form.add_error("start" if "start date" in refused else None, f"{why}.")
    return render(
        request,
        "portal/confirmation.html",
        {
            "provider": provider,
            "package": package,
            "form": form,
            "placement": placement_summary(package),
            "confirmed": package.timeline.filter(type=EventType.CONFIRMED).exists(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
