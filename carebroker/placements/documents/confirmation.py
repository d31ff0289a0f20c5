"""The Provider Confirmation Form (Kent, seed 003 appendix 5): sent to the accepting
provider after the courtesy call; the provider returns it with the start date and the
call times it agreed with the client (docs/policies.md §5, After acceptance). PDF and DOCX.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from carebroker.placements.documents import word
from carebroker.placements.documents.facts import (
    DocumentRefused,
    addressee,
    full_record_of,
    hours,
    long_date,
    package_facts,
    require_winner,
)
from carebroker.placements.documents.rendering import (
    DOCX,
    PDF,
    DocumentFile,
    docx_from_template,
    pdf_from_template,
)
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

OPTIONS = ("start", "call_times")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ACCEPTANCE = (
    "We confirm that we accept this package of care, that we have agreed the start date and "
    "the times of calls above with the client or their representative, and that we will "
    "deliver it under the terms of our contract with the council."
)


def build(
    package: Package,
    provider: Provider | None,
    now: datetime,
    start: date | None = None,
    call_times: Mapping[str, str] | None = None,
) -> list[DocumentFile]:
    winner = require_winner(package, provider)
    context = confirmation_context(package, winner, now, start, call_times or {})
    description = f"{package.case_number} Provider Confirmation Form for {winner.name}"
    return [
        DocumentFile(description, "pdf", PDF, pdf_from_template("confirmation_form.html", context)),
        DocumentFile(description, "docx", DOCX, docx_from_template(template(), context)),
    ]


def confirmation_context(
    package: Package,
    winner: Provider,
    now: datetime,
    start: date | None,
    call_times: Mapping[str, str],
) -> dict[str, Any]:
    unknown = sorted(set(call_times) - set(DAYS))
    if unknown:
        raise DocumentRefused(f"call_times: {unknown[0]!r} is not a day; use {', '.join(DAYS)}")
    person = full_record_of(package.person)
    calls = {day: call_times.get(day, "") for day in DAYS}
    return {
        **package_facts(package),
        "issued": long_date(now),
        "person": person,
        "address": ", ".join(
            p for p in (person["address"], person["town"], person["postcode"]) if p
        ),
        "provider": addressee(winner),
        "hours_text": hours(package.hours_per_week),
        "requested_start": long_date(package.preferred_start),
        "confirmed_start": long_date(start),
        "call_rows": list(calls.items()),
        "calls": calls,
        "acceptance": ACCEPTANCE,
    }


@cache
def template() -> bytes:
    """The Word template, built once per process (word.py)."""
    document = word.new_document("{{ council }}", "Package of care: Provider Confirmation Form")
    document.add_paragraph(
        "The council has told the client that {{ provider.provider }} will contact them. "
        "Please agree the start date and the times of calls with the client or their "
        "representative, complete Part 2 and return this form to the purchasing team."
    )
    document.add_heading("Part 1: the package (completed by the council)", level=2)
    word.facts_table(
        document,
        [
            ("Mosaic ID", "{{ mosaic_id }}"),
            ("Client", "{{ person.name }}"),
            ("Address", "{{ address }}"),
            ("Telephone", "{{ person.phone }}"),
            ("Provider", "{{ provider.provider }}"),
            ("Area", "{{ area }}"),
            ("Hours per week", "{{ hours_text }}"),
            ("Requested start date", "{{ requested_start }}"),
        ],
    )
    document.add_heading("Part 2: the provider's confirmation", level=2)
    word.facts_table(
        document,
        [("Confirmed start date", "{{ confirmed_start }}")]
        + [(f"{day}: planned call times", f"{{{{ calls.{day} }}}}") for day in DAYS],
    )
    document.add_paragraph("{{ acceptance }}")
    word.signature_block(document, "Signed for the provider")
    return word.saved(document)
