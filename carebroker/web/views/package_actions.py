"""The broker's changes to a package, each a POST that redirects after success (PRG):
record a phone answer, answer a provider's question, award by hand, hold, release, cancel
(after a confirmation page), and (a manager) approach the next provider of a cascade.

Each calls its `carebroker.sourcing.actions` service; a domain error is shown on the
package page as the form's error and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carebroker.accounts.models import User
from carebroker.engine.stages import ASSESSMENT_RESULTS, answers_taken, assessing
from carebroker.providers.models import Contact, Provider
from carebroker.sourcing import actions
from carebroker.sourcing.models import Package, SourcingRequest
from carebroker.sourcing.runner import state_of
from carebroker.web.forms.packages import AwardForm, ReasonForm
from carebroker.web.forms.phone import RequestAnswerForm
from carebroker.web.views.access import (
    MANAGERS,
    STAFF,
    posted,
    role_required,
    with_package,
)
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.views.package_questions import answer_form
from carebroker.web.views.packages import LIVE, render_package
from carebroker.web.waiting_days import policy_and_calendar

ERROR_STATUS = 400  # the page again, with the form's errors


def _to_page(package: Package) -> HttpResponse:
    return redirect("package", case_number=package.case_number)


@require_POST
@role_required(*STAFF)
@with_package
def answer_query(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """The broker's answer to a provider's question, sent to every provider approached."""
    now = timezone.now()
    form = answer_form(request.POST.get("query-question", ""), request.POST)
    if form.is_valid():
        question = form.cleaned_data["question"]
        # For the banner only: the service itself sends an answered question nothing more.
        answered = package.timeline.filter(
            type="query_answered", details__question_event=question
        ).exists()
        try:
            actions.do_answer_query(
                user,
                package,
                question,
                form.cleaned_data["answer"],
                now,
                shared=form.cleaned_data.get("shared"),
            )
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            if answered:
                tell(request, "This question was already answered: nothing was sent again.")
            else:
                sent = package.requests.values("provider").distinct().count()
                tell(request, f"Your answer is sent to the {sent} providers approached.")
            return _to_page(package)
    return render_package(request, user, package, now, ERROR_STATUS, query_form=form)


@require_POST
@role_required(*STAFF)
@with_package
def award_by_hand(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    providers = Provider.objects.filter(council_id=package.council_id).order_by("name")
    form = AwardForm(request.POST, providers=providers, prefix="award")
    if form.is_valid():
        provider = form.cleaned_data["provider"]
        try:
            outcome = actions.do_award_by_hand(
                user,
                package,
                provider,
                form.cleaned_data["reason"],
                now,
                override_reason=form.cleaned_data["override_reason"],
            )
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(request, f"Package {package.case_number} is awarded to {provider.name}.", outcome)
            return _to_page(package)
    return render_package(request, user, package, now, ERROR_STATUS, award_form=form)


@require_POST
@role_required(*STAFF)
@with_package
def hold(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    form = ReasonForm(request.POST, prefix="hold")
    if form.is_valid():
        try:
            actions.do_hold(user, package, form.cleaned_data["reason"], now)
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(request, f"Package {package.case_number} is held: its clocks wait.")
            return _to_page(package)
    return render_package(request, user, package, now, ERROR_STATUS, hold_form=form)


@require_POST
@role_required(*STAFF)
@with_package
def release(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    form = ReasonForm(prefix="hold")
    try:
        actions.do_release(user, package, now)
    except SERVICE_ERRORS as error:
        form.add_service_error(error)
        return render_package(request, user, package, now, ERROR_STATUS, hold_form=form)
    tell(request, f"Package {package.case_number} is released: sourcing goes on.")
    return _to_page(package)


@require_POST
@role_required(*MANAGERS)
@with_package
def next_provider(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """A manager approaches the next provider of a cascade while one considers (§5.2)."""
    now = timezone.now()
    try:
        outcome = actions.do_next_provider(user, package, now)
    except SERVICE_ERRORS as error:
        messages.error(request, f"Nothing changed: {error}")
    else:
        done = "The next provider is approached; the one considering may still answer."
        tell(request, done, outcome)
    return _to_page(package)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
@with_package
def cancel(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """GET asks to confirm (cancelling withdraws every open request); POST cancels."""
    now = timezone.now()
    form = ReasonForm(posted(request), prefix="cancel")
    status = 200
    if request.method == "POST":
        status = ERROR_STATUS
        if form.is_valid():
            try:
                outcome = actions.do_cancel(user, package, form.cleaned_data["reason"], now)
            except SERVICE_ERRORS as error:
                form.add_service_error(error)
            else:
                tell(request, f"Package {package.case_number} is cancelled.", outcome)
                return _to_page(package)
    context = {"package": package, "form": form, "live": package.status in LIVE}
    return render(request, "web/packages/cancel.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
@with_package
def request_answer(request: HttpRequest, user: User, package: Package, seq: int) -> HttpResponse:
    """The answer to one open request, taken by phone: the provider is the request's, its
    phone number shown, and only the answers the request's round takes are offered."""
    asked = (
        SourcingRequest.objects.filter(package=package, seq=seq).select_related("provider").first()
    )
    if asked is None:
        raise Http404("No such request on this package.")
    now = timezone.now()
    policy, _ = policy_and_calendar(package.council)
    kind = next((s.kind for s in policy.stages if s.name == asked.stage), "")
    open_now = asked.outcome in ("open", "considering") and package.status in LIVE
    answers = answers_taken(kind, asked.round)
    if (
        asked.outcome == "assessment"
        and package.status in LIVE
        and assessing(state_of(package), str(asked.provider_id))
    ):
        # The provider assessing the person phones back (docs/policies.md §4.2)
        open_now, answers = True, ASSESSMENT_RESULTS
    form = RequestAnswerForm(
        posted(request),
        answers=answers,
        isp=package.council.policy_name == "essex-lah" and kind == "batch",
        now=now,
        prefix="answer",
    )
    status = 200
    if request.method == "POST":
        status = ERROR_STATUS
        if not open_now:
            form.add_error(None, f"{asked.provider.name} has already answered this request.")
        elif form.is_valid():
            try:
                outcome = actions.do_record_phone_answer(
                    user, package, asked.provider, form.answer(), now, now=now
                )
            except SERVICE_ERRORS as error:
                form.add_service_error(error)
            else:
                tell(request, f"{asked.provider.name}'s answer by phone is recorded.", outcome)
                return _to_page(package)
    contacts = Contact.objects.filter(provider=asked.provider).order_by("role", "name")
    return render(
        request,
        "web/packages/request_answer.html",
        {
            "package": package,
            "asked": asked,
            "form": form,
            "open_now": open_now,
            "contacts": contacts,
            "now": now,
        },
        status=status,
    )
