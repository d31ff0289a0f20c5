"""Sign-in throttling (issue 12 finding 8), by django-axes: see settings.AXES_*.

`SignInThrottle` is axes' standalone backend, first in AUTHENTICATION_BACKENDS: it refuses
a sign-in while the username or the address is locked out. A call to `authenticate`
without a request (Django's test client `login`, a shell) is no sign-in from the web:
there is no address to count, so it is passed on to the next backend unchanged.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SignInThrottle(AxesStandaloneBackend):  # type: ignore[misc]
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind PROXY_COUNT proxies the address in
    X-Forwarded-For that the nearest proxy appended (entries to its left are the client's
    own words and may be forged)."""
    count = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_parameters(
    request_or_attempt: object, credentials: dict[str, Any] | None = None
) -> list[str]:
    """Failures count per username and per address. A sign-in without a username (a council
    sign-on, accounts/sign_on.py) counts per address only: counted under one empty username,
    a few refused sign-ons anywhere would lock single sign-on for every council's staff."""
    if isinstance(request_or_attempt, HttpRequest) and not get_client_username(
        request_or_attempt, credentials
    ):
        return ["ip_address"]
    return ["username", "ip_address"]


def locked_out(request: HttpRequest, *args: Any) -> HttpResponse:
    """The page a locked-out sign-in gets: what happened and what to do, in words."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "registration/locked_out.html", context, status=429)
