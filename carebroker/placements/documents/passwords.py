"""Each provider's ISP password (seed 001: "password protected with your designated SPT
password"): made once, on the provider's first ISP, and the same for every ISP after."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction

from carebroker.placements.models import ProviderDocumentPassword
from carebroker.providers.models import Provider

# No 0/O, 1/l/I: the password is read out or typed from another message.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 5  # 20 characters of 55: about 115 bits


def new_password() -> str:
    """ "Xk7pQ-..." : four groups of five, easy to read out, hard to guess."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def isp_password(provider: Provider, *, now: datetime) -> str:
    """The provider's document password, made and stored on first use."""
    existing = ProviderDocumentPassword.objects.filter(provider=provider).first()
    if existing is not None:
        return existing.password
    try:
        with transaction.atomic():
            made = ProviderDocumentPassword.objects.create(
                provider=provider, password=new_password(), created_at=now
            )
    except IntegrityError:
        # Another process made it first: theirs is the one (one password per provider).
        return ProviderDocumentPassword.objects.get(provider=provider).password
    return made.password


def reveal_once(provider: Provider, user: object, *, now: datetime) -> str | None:
    """The provider's document password for one of its own users, the first time only
    (issue 11 finding 5: a second channel, never an email). None once it has been shown,
    or while the provider has none yet (no ISP sent to it)."""
    with transaction.atomic():
        row = (
            ProviderDocumentPassword.objects.select_for_update()
            .filter(provider=provider, shown_at__isnull=True)
            .first()
        )
        if row is None:
            return None
        row.shown_at = now
        row.shown_to = user  # type: ignore[assignment]
        row.save(update_fields=["shown_at", "shown_to"])
        return row.password
