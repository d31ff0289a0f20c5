"""The commencement letter (Essex, docs/policies.md §4 After the award): the council tells the
winning provider the care may begin: the person's full details (the winner alone sees them,
§6.2), the start date, the hours, the framework rate it was placed at, the purchase order
reference when one is recorded, and the quadrant's Service Placement Team to contact. PDF.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from carebroker.placements.documents.facts import (
    DocumentRefused,
    addressee,
    awarded_rate,
    full_record_of,
    hours,
    long_date,
    money,
    package_facts,
    require_winner,
    start_date,
    weekly_cost,
)
from carebroker.placements.documents.rendering import PDF, DocumentFile, pdf_from_template
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

OPTIONS = ("start", "rate", "purchase_order")


def build(
    package: Package,
    provider: Provider | None,
    now: datetime,
    start: date | None = None,
    rate: Decimal | None = None,
    purchase_order: str | None = None,
) -> list[DocumentFile]:
    winner = require_winner(package, provider)
    try:
        hourly: Decimal | None = awarded_rate(package, winner, rate)
    except DocumentRefused:
        hourly = None  # no framework rate on record: the letter names the rate, not a sum
    person = full_record_of(package.person)
    area = package.area
    context = {
        **package_facts(package),
        "issued": long_date(now),
        "provider": addressee(winner),
        "person": person,
        "date_of_birth": long_date(person["date_of_birth"]),
        "address": ", ".join(
            p for p in (person["address"], person["town"], person["postcode"]) if p
        ),
        "start": long_date(start_date(package, winner, start)),
        "hours_text": hours(package.hours_per_week),
        "rate_text": money(hourly) if hourly is not None else "The framework rate",
        "weekly_cost_text": money(weekly_cost(package.hours_per_week, hourly))
        if hourly is not None
        else "At the framework rate",
        "purchase_order": purchase_order,
        "team": {
            "name": area.team_name or "Service Placement Team",
            "email": area.team_email,
            "phone": area.team_phone,
        },
    }
    description = f"{package.case_number} Commencement letter for {winner.name}"
    return [
        DocumentFile(
            description, "pdf", PDF, pdf_from_template("commencement_letter.html", context)
        )
    ]
