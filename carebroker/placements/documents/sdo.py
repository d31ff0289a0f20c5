"""The Service Delivery Order (Kent, seed 003 step 10): the council's order to the provider
that confirmed the package: the package, its hours, rate and start date. Due within 2
working days of the confirmation (docs/policies.md §5, After acceptance). PDF.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from carebroker.placements.documents.facts import (
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
from carebroker.placements.naming import LONDON
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

OPTIONS = ("start", "rate")


def build(
    package: Package,
    provider: Provider | None,
    now: datetime,
    start: date | None = None,
    rate: Decimal | None = None,
) -> list[DocumentFile]:
    winner = require_winner(package, provider)
    hourly = awarded_rate(package, winner, rate)
    person = full_record_of(package.person)
    context = {
        **package_facts(package),
        "issued": long_date(now),
        "order_reference": f"SDO-{package.case_number}-{now.astimezone(LONDON):%Y%m%d}",
        "provider": addressee(winner),
        "person": person,
        "date_of_birth": long_date(person["date_of_birth"]),
        "address": ", ".join(
            p for p in (person["address"], person["town"], person["postcode"]) if p
        ),
        "start": long_date(start_date(package, winner, start)),
        "hours_text": hours(package.hours_per_week),
        "rate_text": money(hourly),
        "weekly_cost_text": money(weekly_cost(package.hours_per_week, hourly)),
    }
    description = f"{package.case_number} Service Delivery Order for {winner.name}"
    return [DocumentFile(description, "pdf", PDF, pdf_from_template("sdo.html", context))]
