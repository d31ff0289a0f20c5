"""The council countersigns the winner's signed IPA (seed 004 step 24, Leicestershire): a
broker or manager of the package's council checks the start date and presses the button;
`placements.ipa_loop.do_countersign` records it through the engine, stamps the PDF and sends
the copy back. A refusal is shown on the form and changes nothing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from carebroker.accounts.models import User
from carebroker.placements.documents.facts import DocumentRefused
from carebroker.placements.ipa_loop import do_countersign
from carebroker.sourcing.models import Package
from carebroker.web.forms.countersign import CountersignForm
from carebroker.web.views.access import STAFF, role_required, with_package
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.views.packages import render_package


@require_POST
@role_required(*STAFF)
@with_package
def countersign(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    form = CountersignForm(request.POST, prefix="countersign")
    if form.is_valid():
        try:
            kept = do_countersign(user, package, form.cleaned_data["start"], now)
        except (*SERVICE_ERRORS, DocumentRefused) as error:
            form.add_service_error(error)
        else:
            tell(
                request,
                f"The IPA for package {package.case_number} is countersigned and sent back to "
                f"{package.awarded_provider}: {kept.filename}.",
            )
            return redirect("package", case_number=package.case_number)
    return render_package(request, user, package, now, 400, countersign_form=form)
