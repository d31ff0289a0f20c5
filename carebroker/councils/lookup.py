"""Finding the council and provider a management command names (`--council`, `--provider`)
and reading a command-line time; every app's commands use these."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.utils import timezone

from carebroker.councils.models import Council
from carebroker.lib.london import LONDON
from carebroker.lib.numbers import is_whole_number

if TYPE_CHECKING:  # a provider is reached through council.providers; no import of the app
    from carebroker.providers.models import Provider


def council_by_slug(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        known = ", ".join(Council.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"--council: no council {slug!r} (councils: {known})")
    return council


def provider_by_name_or_id(council: Council, text: str) -> Provider:
    """The council's provider with this id, or this name ignoring case."""
    providers = council.providers.all()
    found = providers.filter(pk=int(text)) if is_whole_number(text) else providers.none()
    found = found or providers.filter(name__iexact=text.strip())
    if len(found) != 1:
        raise CommandError(
            f"--provider: {council} has no provider {text!r}"
            if not found
            else f"--provider: {text!r} names {len(found)} providers of {council}; use the id"
        )
    return found[0]


def aware_time(text: str | None, option: str) -> datetime:
    """An ISO time from the command line (local London time when no offset), else now."""
    if not text:
        return timezone.now()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option}: an ISO date and time like 2026-11-23T09:30, got {text!r}"
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=LONDON)
