"""The ISP (Information to Service Provider, seed 001): the anonymised package, as a PDF
encrypted with a password of its own (one per file, never reused).

It goes to every provider that asked (docs/policies.md §4.2), winners and losers alike, so it
is made from the provider view alone (docs/policies.md §6.2): `facts.full_record_of` is never
called here.
"""

from __future__ import annotations

from datetime import datetime

from carebroker.placements.documents.facts import (
    addressee,
    hours,
    local_time,
    long_date,
    package_facts,
    provider_view_of,
    require_provider,
)
from carebroker.placements.documents.passwords import new_password
from carebroker.placements.documents.rendering import (
    PDF,
    DocumentFile,
    encrypted_pdf,
    pdf_from_template,
)
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

OPTIONS = ("deadline",)


def build(
    package: Package, provider: Provider | None, now: datetime, deadline: datetime | None = None
) -> list[DocumentFile]:
    provider = require_provider(package, provider)
    context = {
        **package_facts(package),
        "view": provider_view_of(package),
        "provider": addressee(provider),
        "issued": long_date(now),
        "deadline": local_time(deadline),
        "hours_text": hours(package.hours_per_week),
        "requested_start": long_date(package.preferred_start),
    }
    # A new password for every ISP file, never reused (kept, sealed, with the document).
    password = new_password()
    pdf = encrypted_pdf(pdf_from_template("isp.html", context), password)
    description = f"{package.case_number} ISP for {provider.name}"
    return [DocumentFile(description, "pdf", PDF, pdf, encrypted=True, password=password)]
