"""Sessions end after SESSION_COOKIE_AGE idle seconds: each request moves the expiry on, but
at most once a minute (issue 14).

Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request: on SQLite a
write transaction (and a sync to disk) per page, one at a time across the web processes,
which at 8 clients was a large part of every signed-in page's time (bench/web.py). Here a
request writes the session only when it changed or when its last write is a minute old or
more, so a session ends between 29 and 30 idle minutes instead of at exactly 30.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_SECONDS = 60
WRITTEN_AT = "_written_at"  # when the expiry was last moved on, in whole seconds


class SessionRefresh:
    """After SessionMiddleware: marks a signed-in session changed when its expiry is due to
    move on, so SessionMiddleware writes it; an anonymous visitor gets no session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        written = session.get(WRITTEN_AT)
        due = not isinstance(written, int) or not 0 <= now - written < REFRESH_SECONDS
        # A changed session is written anyway: its expiry moves on now too, so say when.
        if due or session.modified:
            session[WRITTEN_AT] = now  # changed: SessionMiddleware writes it
        return response
