"""A manager's personal data actions on a package's person (UK GDPR, docs/security.md
Personal data): download everything held (subject access, one zip) and erase the person
after a confirmation page. Each is written on the person's timelines with who did it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from carebroker.accounts.models import User
from carebroker.govuk.forms import GovukForm
from carebroker.placements.personal_data import erase_person, subject_access_zip
from carebroker.sourcing.models import Package
from carebroker.web.views.access import MANAGERS, posted, role_required, with_package
from carebroker.web.views.outcomes import tell


class ErasureForm(GovukForm):
    reason = forms.CharField(
        label="Why is the person's data being erased?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the person's data is being erased"},
    )


@require_POST
@role_required(*MANAGERS)
@with_package
def export(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    data = subject_access_zip(package.person, timezone.now(), by=user.get_username())
    response = HttpResponse(data, content_type="application/zip")
    name = f"everything held {package.council.slug} {package.case_number}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
@with_package
def erase(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    """GET asks to confirm (it cannot be undone); POST erases, with the reason."""
    form = ErasureForm(posted(request), prefix="erase")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            erase_person(
                package.person,
                timezone.now(),
                by=user.get_username(),
                why=form.cleaned_data["reason"],
            )
            tell(request, "The person's personal data is erased; the statistics stay.")
            return redirect("package", case_number=package.case_number)
    context = {"package": package, "form": form, "erased": package.person.erased_at}
    return render(request, "web/packages/erase.html", context, status=status)
