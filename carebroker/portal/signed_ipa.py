"""The winner returns its signed IPA in the portal (seed 004 step 24, Leicestershire).

One page per package awarded to the provider: the IPA we sent (to download, sign and send
back), the signed copies already returned and the countersigned ones. The upload is a PDF
smaller than 5 MB; anything else is refused on the file field and nothing is kept
(placements/ipa_loop.py `do_receive_signed_ipa`). Each upload is a new version.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carebroker.accounts.models import User
from carebroker.govuk.forms import GovukForm
from carebroker.placements.documents.facts import DocumentRefused
from carebroker.placements.ipa_loop import MAX_SIGNED_BYTES, do_receive_signed_ipa, has_ipa_loop
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.portal.access import (
    _get_awarded_package_for_provider,
    provider_required,
    the_provider,
)


class SignedIpaForm(GovukForm):
    file = forms.FileField(
        label="Upload the signed IPA",
        help_text="A PDF of the agreement, signed for your organisation, smaller than 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={
            "required": "Select the signed IPA to upload",
            "empty": "The selected file is empty",
            "invalid": "Select the signed IPA to upload",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith(".pdf"):
            raise forms.ValidationError("The selected file must be a PDF")
        if upload.size > MAX_SIGNED_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        return upload


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # provider_required ran first
    return user


@provider_required
@require_http_methods(["GET", "POST"])
def signed_ipa(request: HttpRequest, case_number: str) -> HttpResponse:
    user = _user(request)
    provider = the_provider(user)
    package = _get_awarded_package_for_provider(user, case_number)
    if not has_ipa_loop(package):
        raise Http404("This council sends no placement agreement to sign.")
    posted = request.method == "POST"
    form = SignedIpaForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = do_receive_signed_ipa(user, package, upload.read(), timezone.now())
        except DocumentRefused as refused:
            # "file: the selected file is not a PDF" -> "The selected file is not a PDF"
            why = str(refused).split(": ", 1)[-1]
            form.add_error("file", why[:1].upper() + why[1:])
        else:
            messages.success(
                request,
                f"Thank you: your signed IPA for package {package.case_number} is sent as "
                f"{kept.filename}. We will countersign it and send you a copy.",
            )
            return redirect("portal:documents")
    papers = (
        PlacementDocument.objects.filter(
            package=package,
            provider_id=provider.pk,
            kind__in=(DocumentKind.IPA, DocumentKind.SIGNED_IPA, DocumentKind.COUNTERSIGNED_IPA),
        )
        .defer("content")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "portal/signed_ipa.html",
        {"provider": provider, "package": package, "form": form, "papers": list(papers)},
        status=400 if form.is_bound and form.errors else 200,
    )
