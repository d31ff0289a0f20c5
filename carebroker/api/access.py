"""Who may use the API, and for what (docs/architecture.md §8, docs/api.md).

A bearer token (tokens.py) names its user; only a council's integration user gets past this,
and only for the scopes its token carries. Objects are loaded through the user's council, so
another council's referral or package is a 404: its existence is not told.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from carebroker.accounts.models import Role
from carebroker.api import tokens
from carebroker.api.models import ApiToken
from carebroker.api.problems import ApiProblem

DEFAULT_RATE = "120/m"


class TokenAuth(HttpBearer):
    """A live token (else 401), of a council integration, with the operation's scope (else
    403). Checked before the body is read, so a refused caller learns nothing from it."""

    def __init__(self, scope: str | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        row = tokens.authenticate(token, timezone.now())
        if row is not None and self.scope is not None:
            request.auth = row  # type: ignore[attr-defined]
            integration(request, self.scope)
        return row


class TokenThrottle(AuthRateThrottle):
    """Per token (not per address): `API_RATE` requests per period, e.g. "120/m"."""

    scope = "api-token"

    def get_rate(self) -> str:
        return str(getattr(settings, "API_RATE", DEFAULT_RATE))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = self.get_rate()  # read each time, so a setting change takes effect
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        auth = getattr(request, "auth", None)
        ident = f"token-{auth.pk}" if isinstance(auth, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def integration(request: HttpRequest, scope: str) -> ApiToken:
    """The request's token, if it is a council integration's and carries `scope`."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise ApiProblem(401, "Send an API token: Authorization: Bearer <token>.")
    user = token.user
    if user.role != Role.INTEGRATION or user.council_id is None:
        raise ApiProblem(403, "Only a council's integration user may use the API.")
    if scope not in (token.scopes or []):
        raise ApiProblem(403, f"This token does not have the scope {scope}.")
    return token
