"""Kent after acceptance on the package page (docs/policies.md §5; sourcing/after_award.py):
the steps still due with their due times, the Provider Confirmation Form taken from a phone
call, and the Purchasing Officer's record that the Service Delivery Order went out and that
the financial assessment was asked for (sending the SDO makes it and emails it to the
winner). Each a POST that redirects after success; an error
shows the package page again with the form's errors, and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from carebroker.accounts.models import User
from carebroker.placements.confirmation_form import ConfirmationForm
from carebroker.placements.documents.facts import DocumentRefused
from carebroker.sourcing import actions
from carebroker.sourcing.actions import ActionError
from carebroker.sourcing.after_award import do_record_step
from carebroker.sourcing.handback_tasks import do_record_handback_call
from carebroker.sourcing.models import Package
from carebroker.web.after_award_steps import after_award_context
from carebroker.web.views.access import STAFF, role_required, with_package
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.views.packages import render_package

ERROR_STATUS = 400
DONE_WORDS = {
    "service_delivery_order": "the Service Delivery Order is sent to the provider",
    "financial_assessment": "the financial assessment is recorded as asked for",
}


@require_POST
@role_required(*STAFF)
@with_package
def record_confirmation(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """The Provider Confirmation Form from a phone call: the winner's confirm answer."""
    now = timezone.now()
    form = ConfirmationForm(request.POST, prefix="confirm", now=now)
    if form.is_valid():
        data = form.cleaned_data
        answer = {
            "action": "confirm",
            "start": data["start"],
            "call_times": data["call_times"].strip(),
            "text": data["carer_notes"].strip() or None,
        }
        try:
            provider = package.awarded_provider
            assert provider is not None
            actions.do_record_phone_answer(user, package, provider, answer, now)
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(request, f"Package {package.case_number}: the confirmation is recorded.")
            return redirect("package", case_number=package.case_number)
    context = after_award_context(package, now, form)
    return render_package(request, user, package, now, ERROR_STATUS, **context)


@require_POST
@role_required(*STAFF)
@with_package
def record_step(request: HttpRequest, user: User, package: Package, step: str) -> HttpResponse:
    """The Service Delivery Order sent, or the financial assessment asked for."""
    now = timezone.now()
    try:
        done = do_record_step(user, package, step, now)
    except (*SERVICE_ERRORS, DocumentRefused) as error:
        form = ConfirmationForm(prefix="confirm", now=now)
        form.add_service_error(_in_words(error, package))
        context = after_award_context(package, now, form)
        return render_package(request, user, package, now, ERROR_STATUS, **context)
    said = DONE_WORDS[step] if done else "nothing was due"
    tell(request, f"Package {package.case_number}: {said}.")
    return redirect("package", case_number=package.case_number)


def _in_words(error: Exception, package: Package) -> Exception:
    """A document that cannot be made says why in the Purchasing Officer's words: the only
    way an SDO fails is a winner with no hourly rate (placements/documents/facts.py)."""
    if not isinstance(error, DocumentRefused):
        return error
    provider = package.awarded_provider
    return ActionError(
        f"The Service Delivery Order cannot be made: {provider} has no hourly rate for "
        "this package (it offered none and has no contracted rate). Add its contracted "
        "hourly rate to the provider's record, then send the order again."
    )


@require_POST
@role_required(*STAFF)
@with_package
def record_handback_call(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """The Area Support Manager's call with a provider that handed several packages back
    (docs/policies.md §5 Handbacks): held, for every package of that notice."""
    now = timezone.now()
    try:
        cleared = do_record_handback_call(user, package, now)
    except SERVICE_ERRORS as error:
        messages.error(request, f"Nothing changed: {_message(error)}")
        return redirect("package", case_number=package.case_number)
    tell(request, f"The call with the provider is recorded as held for {_cases(cleared)}.")
    return redirect("package", case_number=package.case_number)


def _message(error: Exception) -> str:
    texts = getattr(error, "messages", None) or [str(error)]
    return " ".join(str(text) for text in texts)


def _cases(cases: list[str]) -> str:
    if len(cases) == 1:
        return f"package {cases[0]}"
    return "packages " + ", ".join(cases[:-1]) + f" and {cases[-1]}"
