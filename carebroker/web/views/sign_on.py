"""Single sign-on pages: start a council's sign-on, and its callback (docs/security.md).

The protocol is mozilla-django-oidc's views; here they are told which council's provider
to use. The council travels with the OIDC state in the session (the start view adds it to
the state's entry), so a callback is only ever checked against the provider it was sent to.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from carebroker.accounts.sign_on import (
    SESSION_KEY,
    UNCHECKED,
    UNREACHABLE,
    council_provider,
    endpoints,
)
from carebroker.councils.models import Council

EXPIRED = (
    "This sign-in was not started here, or it has expired, so you have not been signed in. "
    "Start again from the sign-in page."
)
CANCELLED = "Signing in with your council account did not finish, so you have not been signed in."


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "registration/sign_on_refused.html", {"reason": reason}, status=status)


class SignOnStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Send the person to their council's sign-in service (Microsoft Entra ID)."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library's reads one provider from settings

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        provider = council_provider(slug)
        if provider is None or not Council.objects.filter(slug=slug).exists():
            raise Http404("This council does not sign in with a council account.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoints(provider).authorization
        except (requests.RequestException, SuspiciousOperation, ValueError, KeyError):
            return refused(request, UNREACHABLE, status=502)
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        request.session["oidc_states"][state]["council"] = slug
        request.session.modified = True
        return response


class SignOnCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider sends the person back here with a code; the backend does the rest."""

    def get(self, request: HttpRequest) -> HttpResponse:
        started = request.session.get("oidc_states", {}).get(request.GET.get("state", ""))
        slug = started.get("council", "") if started else ""
        council = Council.objects.filter(slug=slug).first() if slug else None
        if council is None or council_provider(slug) is None:
            return refused(request, EXPIRED)
        request.sso_council = council  # type: ignore[attr-defined]  # for the backend only
        self.council = council
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            return refused(self.request, CANCELLED)
        reason = getattr(self.request, "sso_refusal", None) or UNCHECKED
        return refused(self.request, reason)

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        # Marks the session as signed on by the council's provider: its own MFA stands in for
        # our second factor (docs/security.md, single sign-on).
        self.request.session[SESSION_KEY] = self.council.slug
        return response
