"""Secrets we must read back, sealed at rest: the ISP passwords (a provider's users are shown
one to open the PDF) and the authenticator apps' keys (every code is checked against one).
Neither can be hashed, so each is encrypted with Fernet (AES-128-CBC with an HMAC-SHA256,
`cryptography`) under a key from the environment, never from the database: a copy of the
database, or a backup, holds only tokens.

    ENCRYPTION_KEYS=<newest>,<older>...   (Fernet keys: `carebroker rotate-keys --new-key`)

The first key seals; every key listed unseals (MultiFernet), so a key is rotated by putting a
new one first, running `carebroker rotate-keys` (every sealed value is sealed again under the
first key), then dropping the old one. In development the key is derived from SECRET_KEY.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("ENCRYPTION_KEYS: at least one key is needed")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            "(make one with `carebroker rotate-keys --new-key`)"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def seal(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        # A value sealed under a key no longer listed, or never sealed: say which setting.
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS: a sealed value opens with none of the keys listed "
            "(was an old key dropped before `carebroker rotate-keys` ran?)"
        ) from None


def reseal(token: str) -> str:
    """The same secret sealed under the first key (MultiFernet.rotate)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


class SealedTextField(models.TextField):  # type: ignore[type-arg]
    """Text kept sealed in the database and plain in Python. Lookups by value cannot match
    (each sealing is different): read the row by something else."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return value if value in (None, "") else unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        # Empty stays empty: "no secret" is not a secret.
        return value if value in (None, "") else seal(value)


def sealed_fields() -> list[tuple[type[models.Model], SealedTextField]]:
    """Every sealed column of every installed model (for `carebroker rotate-keys`)."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, SealedTextField)
    ]
