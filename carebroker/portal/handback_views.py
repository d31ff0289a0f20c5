"""The portal's placement pages: the provider's placements, and handing them back
(docs/policies.md §5 Handbacks). Thin: forms and the engine calls are in `handbacks.py`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carebroker.accounts.models import User
from carebroker.portal.access import provider_required, the_provider
from carebroker.portal.handbacks import (
    HandbackForm,
    HandbackNoticeForm,
    Refused,
    hand_back,
    hand_back_with_notice,
    placements_of,
)
from carebroker.sourcing.market_db import policy_of


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # provider_required ran first
    return user


@provider_required
@require_GET
def placements_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    provider = the_provider(user)
    rows = list(placements_of(user))
    policy = policy_of(provider.council)
    return render(
        request,
        "portal/handbacks/placements.html",
        {"provider": provider, "rows": rows, "with_notice": policy.handbacks is not None},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def handback_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One placement handed back at once, with the reason."""
    user = _user(request)
    provider = the_provider(user)
    package = placements_of(user).filter(pk=pk).first()
    if package is None:
        raise Http404("No such placement of your organisation.")
    form = HandbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hand_back(package, provider.pk, form.cleaned_data["reason"],
                      form.cleaned_data["text"], timezone.now())  # fmt: skip
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                f"{package.case_number}: you have handed this package back. The council has "
                "been told and will find another provider.",
            )
            return redirect("portal:placements")
    return render(
        request,
        "portal/handbacks/handback.html",
        {"provider": provider, "package": package, "form": form},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def handback_notice_page(request: HttpRequest) -> HttpResponse:
    """Several placements handed back together, with notice."""
    user = _user(request)
    provider = the_provider(user)
    rule = policy_of(provider.council).handbacks
    if rule is None:
        raise Http404("Your council does not take handbacks of several packages here.")
    placements = list(placements_of(user))
    form = HandbackNoticeForm(
        request.POST if request.method == "POST" else None,
        placements=placements,
        notice_days=rule.multiple_notice_days,
    )
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in placements if str(p.pk) in form.cleaned_data["packages"]]
        try:
            hand_back_with_notice(chosen, provider.pk, form.cleaned_data["ends"],
                                  form.cleaned_data["reason"], form.cleaned_data["text"],
                                  timezone.now())  # fmt: skip
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            cases = ", ".join(p.case_number for p in chosen)
            messages.success(
                request,
                f"You have given notice on {len(chosen)} packages ({cases}). The council will "
                f"call you within {rule.multiple_call_within} to arrange the handover.",
            )
            return redirect("portal:placements")
    return render(request, "portal/handbacks/notice.html", {"provider": provider, "form": form})
