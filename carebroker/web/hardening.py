"""Middleware for the low findings of issue 12 (settings.MIDDLEWARE says where each runs).

- `RequestSizeLimit`, first: a request whose Content-Length is over MAX_REQUEST_BYTES is
  answered 413 before anything reads its body (a 300 MB unauthenticated POST was read whole).
- `PrivatePages`: every response to a signed-in user is `Cache-Control: no-store, private`
  (full records must not stay in a browser's or a proxy's cache), and every response
  carries a Permissions-Policy that turns off what no page uses.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


class RequestSizeLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            return HttpResponse(
                f"The request is too large: at most {limit // (1024 * 1024)} MB is accepted.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class PrivatePages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
