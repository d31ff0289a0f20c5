"""API tokens: made once, kept only as a SHA-256 digest, refused when expired or revoked.

A token reads `cb_<prefix>_<secret>`: the prefix (kept in clear) lets a manager recognise a
token in the admin; the secret is 32 random bytes. Only sha256(token) is stored, so a
database dump gives no working token; a random 256-bit secret needs no slow hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from carebroker.api.models import ApiToken


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str, str]:
    """(token, prefix, digest) for a new token; the token is shown once and never stored."""
    prefix = secrets.token_hex(4)
    token = f"cb_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, digest_of(token)


def issue(token_row: ApiToken) -> str:
    """Give an unsaved ApiToken its secret; returns the token to show once."""
    token, token_row.prefix, token_row.digest = new_token()
    return token


def authenticate(token: str, now: datetime) -> ApiToken | None:
    """The live token row for `token`, or None (unknown, expired, revoked, inactive user)."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user", "user__council")
        .filter(digest=digest_of(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row
