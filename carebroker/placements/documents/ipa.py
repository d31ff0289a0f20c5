"""The Individual Placement Agreement (Leicestershire, seed 004 step 20): the winner's
returned form with the full record again (the child's name, full date of birth, full
address, primary contact details) and Part C completed, but not the Authority's
signature. DOCX to edit and sign, PDF to keep.

Named "YYYY MM DD (A.L. & M1001) IPA for Alder Homecare": the child's initials in the
name even on the PDF, since file names travel in emails and listings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from carebroker.engine.provider_view import initials
from carebroker.placements.documents import word
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
from carebroker.placements.documents.rendering import (
    DOCX,
    PDF,
    DocumentFile,
    docx_from_template,
    pdf_from_template,
)
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

OPTIONS = ("start", "rate", "support")
TERMS = (
    "The Provider will deliver the support in Part B from the start date under the terms and "
    "conditions of its framework agreement (or, off framework, its contract) with the "
    "Authority. Any change to the support must be agreed with the Authority first."
)


def build(
    package: Package,
    provider: Provider | None,
    now: datetime,
    start: date | None = None,
    rate: Decimal | None = None,
    support: str | None = None,
) -> list[DocumentFile]:
    winner = require_winner(package, provider)
    hourly = awarded_rate(package, winner, rate)
    person = full_record_of(package.person)
    facts = package_facts(package)
    context = {
        **facts,
        "issued": long_date(now),
        "initials": initials(person["name"]),
        "provider": addressee(winner),
        "person": person,
        "date_of_birth": long_date(person["date_of_birth"]),
        "address": ", ".join(
            p for p in (person["address"], person["town"], person["postcode"]) if p
        ),
        "relations_text": ", ".join(person["relations"]),
        "support_text": support or facts["support_type"] or "As set out in the brokerage form",
        "lot_text": str(facts["lot"] or ""),
        "start": long_date(start_date(package, winner, start)),
        "hours_text": hours(package.hours_per_week),
        "rate_text": money(hourly),
        "weekly_cost_text": money(weekly_cost(package.hours_per_week, hourly)),
        "terms": TERMS,
    }
    description = f"({context['initials']} & {package.case_number}) IPA for {winner.name}"
    return [
        DocumentFile(description, "docx", DOCX, docx_from_template(template(), context)),
        DocumentFile(description, "pdf", PDF, pdf_from_template("ipa.html", context)),
    ]


@cache
def template() -> bytes:
    """The Word template, built once per process (word.py)."""
    document = word.new_document("{{ council }}", "Individual Placement Agreement")
    document.add_paragraph(
        "Between {{ council }} (the Authority) and {{ provider.provider }} (the Provider), for "
        "the support below. Please check, sign Part C and return this agreement by secure email."
    )
    document.add_heading("Part A: the child", level=2)
    word.facts_table(
        document,
        [
            ("Name", "{{ person.name }}"),
            ("Date of birth", "{{ date_of_birth }}"),
            ("Address", "{{ address }}"),
            ("Primary contact", "{{ person.principal_contact }}"),
            ("Primary contact telephone", "{{ person.principal_contact_phone }}"),
            ("Family", "{{ relations_text }}"),
            ("Allocated worker", "{{ person.allocated_worker }}"),
            ("Needs and outcomes", "{{ person.needs }}"),
        ],
    )
    document.add_heading("Part B: the support the Provider will deliver", level=2)
    word.facts_table(
        document,
        [
            ("Support", "{{ support_text }}"),
            ("Lot", "{{ lot_text }}"),
            ("Hours per week", "{{ hours_text }}"),
            ("Hourly rate", "{{ rate_text }}"),
        ],
    )
    document.add_heading("Part C: the Authority's section", level=2)
    word.facts_table(
        document,
        [
            ("Mosaic ID", "{{ mosaic_id }}"),
            ("Provider", "{{ provider.provider }}"),
            ("Framework area", "{{ area }}"),
            ("Start date", "{{ start }}"),
            ("Hours per week", "{{ hours_text }}"),
            ("Hourly rate", "{{ rate_text }}"),
            ("Weekly cost", "{{ weekly_cost_text }}"),
        ],
    )
    document.add_paragraph("{{ terms }}")
    word.signature_block(document, "Signed for the Provider")
    word.signature_block(
        document,
        "Signed on behalf of the Authority",
        "Signed by the Authority once the Provider's signed copy is back.",
    )
    return word.saved(document)
