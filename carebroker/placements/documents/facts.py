"""What the documents say, read from the records: the package, the provider, the person.

Two kinds of person facts, kept apart on purpose (docs/policies.md §6.2,
docs/architecture.md §8): `provider_view_of` is the anonymised record, the only one a
document for a provider that has not won may use; `full_record_of` is the person as the
council holds it, only for the winner's placement documents (confirmation form, SDO, IPA),
which `require_winner` guards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from carebroker.placements.naming import LONDON
from carebroker.providers.models import Contact, ContactRole, Provider
from carebroker.referrals.models import Person
from carebroker.sourcing.market_db import view_of
from carebroker.sourcing.models import Package, SourcingRequest


class DocumentRefused(ValueError):
    """A document that cannot be made; the message names the field and what is wrong."""


def package_facts(package: Package) -> dict[str, Any]:
    """What any document may say about the package: no personal details in here."""
    return {
        "mosaic_id": package.case_number,
        "council": package.council.name,
        "area": package.area.name,
        "hours_per_week": package.hours_per_week,
        "preferred_start": package.preferred_start,
        "support_type": package.support_type,
        "specialisms": list(package.specialisms or []),
        "lot": package.lot,
        "urgent": package.urgent,
        "emergency": package.emergency,
        "hospital_discharge": package.hospital_discharge,
        "target_supply_area": package.target_supply_area,
        "enhanced_rate": package.enhanced_rate,
    }


def provider_view_of(package: Package) -> dict[str, Any]:
    """The anonymised record (docs/policies.md §6.2): the package's stored provider view, made
    once when the referral was accepted, else made now by the same engine function."""
    if package.provider_view:
        return dict(package.provider_view)
    return view_of(package.person)


def full_record_of(person: Person) -> dict[str, Any]:
    """The full record, for the winner only (seed 004, step 20: name, full date of birth,
    full address, primary contact details)."""
    return {
        "name": person.name,
        "date_of_birth": person.date_of_birth,
        "address": person.address,
        "town": person.town,
        "postcode": person.postcode,
        "phone": person.phone,
        "relations": [
            f"{r.get('name', '')} ({r.get('relation', '')})"
            for r in person.relations or ()
            if isinstance(r, dict) and r.get("name")
        ],
        "allocated_worker": person.allocated_worker,
        "principal_contact": person.principal_contact,
        "principal_contact_phone": person.principal_contact_phone,
        "needs": person.needs,
    }


@dataclass(frozen=True)
class Addressee:
    """Who a document for a provider goes to, and who is copied (Kent: a senior)."""

    provider: str
    main: str
    main_email: str
    senior: str
    senior_email: str


def addressee(provider: Provider) -> Addressee:
    contacts: dict[str, Contact] = {}
    for contact in provider.contacts.all():
        contacts.setdefault(contact.role, contact)
    main = contacts.get(ContactRole.MAIN)
    senior = contacts.get(ContactRole.SENIOR)
    return Addressee(
        provider=provider.name,
        main=main.name if main else "",
        main_email=main.email if main else "",
        senior=senior.name if senior else "",
        senior_email=senior.email if senior else "",
    )


def require_provider(package: Package, provider: Provider | None) -> Provider:
    if provider is None:
        raise DocumentRefused("provider: this document is for one provider; none was given")
    if provider.council_id != package.council_id:
        raise DocumentRefused(
            f"provider: {provider} belongs to another council than package {package}"
        )
    return provider


def require_winner(package: Package, provider: Provider | None) -> Provider:
    """The awarded provider: only the winner's documents carry the full record (§6.2)."""
    if package.awarded_provider_id is None:
        raise DocumentRefused(
            f"package: {package} has not been awarded; this document goes to the winner only"
        )
    winner = package.awarded_provider
    assert winner is not None
    if provider is not None and provider.pk != winner.pk:
        raise DocumentRefused(
            f"provider: package {package} was awarded to {winner}, not {provider}; "
            "this document goes to the winner only"
        )
    return winner


def _winner_request(package: Package, provider: Provider) -> SourcingRequest | None:
    """The provider's latest request with a rate on it: its offer."""
    return package.requests.filter(provider=provider, rate__isnull=False).order_by("-seq").first()


def awarded_rate(package: Package, provider: Provider, given: Decimal | None) -> Decimal:
    """The hourly rate: as given, else the provider's offered rate (Leics: best price), else
    its framework rate (Essex: every award at the framework rate, docs/policies.md §4)."""
    if given is not None:
        return Decimal(given)
    request = _winner_request(package, provider)
    if request is not None and request.rate is not None:
        return Decimal(request.rate)
    if provider.framework_hourly_rate is not None:
        return Decimal(provider.framework_hourly_rate)
    raise DocumentRefused(
        f"rate: no hourly rate for {provider} on package {package} (no offered rate, no "
        "framework rate); give one"
    )


def start_date(package: Package, provider: Provider, given: date | None) -> date:
    """The start date: as given (the confirmed one), else the provider's offered start,
    else the package's preferred start."""
    if given is not None:
        return given
    request = _winner_request(package, provider)
    if request is not None and request.start is not None:
        return request.start
    return package.preferred_start


def weekly_cost(hours: Decimal, rate: Decimal) -> Decimal:
    return (Decimal(hours) * rate).quantize(Decimal("0.01"))


# Written out in full, the same in the PDF and in the Word document (docxtpl has no filters).
def long_date(day: date | datetime | None) -> str:
    """ "Monday 7 December 2026"; a datetime gives its London day (docs/policies.md §1)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return f"{day:%A} {day.day} {day:%B %Y}"


def local_time(at: datetime | None) -> str:
    """ "Monday 23 November 2026, 14:00" in London time."""
    if at is None:
        return ""
    return f"{long_date(at)}, {at.astimezone(LONDON):%H:%M}"


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def hours(amount: Decimal) -> str:
    """ "14" or "10.5": hours per week as people write them."""
    text = f"{Decimal(amount):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
