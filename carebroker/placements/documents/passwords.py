"""ISP passwords (seed 001: the ISP "will be password protected"): a new one for every ISP
file, never reused, kept sealed with the document (PlacementDocument.password), and shown
once in the portal to one of the provider's own users (issue 11 finding 5: never emailed)."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction

from carebroker.placements.models import PlacementDocument

# No 0/O, 1/l/I: the password is read out or typed from another message.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 5  # 20 characters of 55: about 115 bits


def new_password() -> str:
    """ "Xk7pQ-..." : four groups of five, easy to read out, hard to guess."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def reveal_once(document: PlacementDocument, user: object, *, now: datetime) -> str | None:
    """The document's password for one of its provider's own users, the first time only.
    None once it has been shown, or for a document without one. The caller checks that
    `user` may see the document."""
    with transaction.atomic():
        row = (
            PlacementDocument.objects.select_for_update()
            .filter(pk=document.pk, encrypted=True, password_shown_at__isnull=True)
            .exclude(password="")
            .first()
        )
        if row is None:
            return None
        PlacementDocument.objects.filter(pk=row.pk).update(
            password_shown_at=now, password_shown_to=user
        )
        return row.password
