"""Provider capacity in the portal (docs/policies.md §8): declaring it, and the worker's
reminder when a declaration is past its day (once per declaration, through the outbox)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Area
from carebroker.engine.vocabulary import NoticeKind
from carebroker.lib.london import london_date
from carebroker.outbox.notices import queue_notice
from carebroker.providers.models import CapacityDeclaration, ContactRole, Provider


def declarations_of(provider: Provider) -> QuerySet[CapacityDeclaration]:
    return CapacityDeclaration.objects.filter(provider=provider).select_related("area")


def declare(
    provider: Provider, area: Area, unit: str, amount: int, until: object, user: User,
    now: datetime,
) -> CapacityDeclaration:  # fmt: skip
    """Record (or replace) the provider's declaration for `area`: a new declaration, so it
    may be reminded about again once it is stale."""
    row, _ = CapacityDeclaration.objects.update_or_create(
        provider=provider,
        area=area,
        defaults={
            "unit": unit,
            "amount": amount,
            "until": until,
            "declared_at": now,
            "declared_by": user.get_username(),
            "reminded_at": None,
        },
    )
    return row


def _addresses(provider: Provider) -> list[str]:
    """The provider's main contacts, else its active portal users."""
    contacts = [
        c.email for c in provider.contacts.filter(role=ContactRole.MAIN).order_by("pk") if c.email
    ]
    if contacts:
        return contacts
    return list(
        User.objects.filter(provider=provider, role=Role.PROVIDER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def remind_stale_capacity(now: datetime) -> list[str]:
    """Worker duty: each declaration past its day and not yet reminded gets one reminder."""
    today = london_date(now)
    lines: list[str] = []
    stale = (
        CapacityDeclaration.objects.filter(until__lt=today, reminded_at__isnull=True)
        .select_related("provider__council", "area")
        .order_by("pk")
    )
    for row in stale:
        provider = row.provider
        to = _addresses(provider)
        if not to:
            lines.append(f"{provider.name}: capacity in {row.area.name} out of date, no address")
            continue
        with transaction.atomic():
            queue_notice(
                council=provider.council,
                kind=NoticeKind.CAPACITY_REMINDER,
                # once per declaration: a new declaration has a new declared_at
                key=f"capacity:{row.pk}:{row.declared_at:%Y%m%d%H%M%S%f}",
                to=to,
                context={"recipient": provider.name, "area": row.area.name, "until": row.until},
                now=now,
            )
            CapacityDeclaration.objects.filter(pk=row.pk).update(reminded_at=now)
        lines.append(f"{provider.name}: reminded that capacity in {row.area.name} is out of date")
    return lines
