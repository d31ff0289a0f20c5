"""The standard messages as documents: missing information (Kent, seed 003 appendix 3),
decline notice (Kent appendix 6), not chosen (Essex and Leicestershire, with the D1-D4
code where given). None carries the person's details: only the Mosaic ID and the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from carebroker.placements.documents.facts import (
    DocumentRefused,
    addressee,
    hours,
    local_time,
    long_date,
    package_facts,
    require_provider,
)
from carebroker.placements.documents.rendering import PDF, DocumentFile, pdf_from_template
from carebroker.providers.models import Provider, ProviderKind
from carebroker.referrals.models import Document
from carebroker.sourcing.models import Package, SourcingRequest

MISSING_OPTIONS = ("missing", "note")
DECLINE_OPTIONS = ("reason", "declined_at")
NOT_CHOSEN_OPTIONS = ("code", "reason")

# The Leicestershire preset's not-awarded codes and what they tell the provider (§6.3).
NOT_CHOSEN_REASONS = {
    "D1": "Another provider offered the full package at a lower price.",
    "D2": "Your offer met part of the package; a full offer was chosen.",
    "D3": "Another provider was chosen in the mini-competition.",
    "D4": "The package was filled elsewhere.",
}
# The engine records a reason name when a policy has no codes (engine/stages/tender.py).
_CODE_OF_REASON = {
    "higher_price": "D1",
    "part_offer_only": "D2",
    "lost_mini_competition": "D3",
    "filled_elsewhere": "D4",
}


def _common(package: Package, now: datetime) -> dict[str, Any]:
    return {
        **package_facts(package),
        "issued": long_date(now),
        "hours_text": hours(package.hours_per_week),
        "requested_start": long_date(package.preferred_start),
    }


def _missing_labels(missing: Iterable[str]) -> list[str]:
    labels = dict(Document.choices)
    return [str(labels.get(what, what)) for what in missing if str(what).strip()]


def build_missing_information(
    package: Package,
    provider: Provider | None,
    now: datetime,
    missing: Iterable[str] | None = None,
    note: str = "",
) -> list[DocumentFile]:
    """To the referrer: exactly what is missing (docs/policies.md §5.1), from the referral's
    check unless given."""
    if provider is not None:
        raise DocumentRefused("provider: the missing information message goes to the referrer")
    referral = package.referral
    labels = _missing_labels(referral.missing if missing is None else missing)
    if not labels:
        raise DocumentRefused(
            f"missing: nothing is recorded as missing from the referral for {package}; "
            "say what is missing"
        )
    referrer = referral.referrer
    context = {
        **_common(package, now),
        "recipient": (referrer.get_full_name() if referrer else "") or "referrer",
        "received": local_time(referral.received_at),
        "missing": labels,
        "note": note,
    }
    pdf = pdf_from_template("missing_information.html", context)
    return [DocumentFile(f"{package.case_number} Missing information", "pdf", PDF, pdf)]


def _latest_request(package: Package, provider: Provider) -> SourcingRequest | None:
    return package.requests.filter(provider=provider).order_by("-seq").first()


def build_decline_notice(
    package: Package,
    provider: Provider | None,
    now: datetime,
    reason: str | None = None,
    declined_at: datetime | None = None,
) -> list[DocumentFile]:
    """To a clustered provider that declined, its senior copied (docs/policies.md §5.2); other
    contracted providers get none (§5.3)."""
    provider = require_provider(package, provider)
    if provider.kind == ProviderKind.OTHER_CONTRACTED:
        raise DocumentRefused(
            f"provider: {provider} is other contracted; they get no decline notice "
            "(docs/policies.md §5.3)"
        )
    request = _latest_request(package, provider)
    if reason is None and request is not None:
        reason = request.reason or None
    if declined_at is None and request is not None:
        declined_at = request.responded_at
    context = {
        **_common(package, now),
        "provider": addressee(provider),
        "reason": reason or "",
        "declined": local_time(declined_at),
    }
    pdf = pdf_from_template("decline_notice.html", context)
    description = f"{package.case_number} Decline notice to {provider.name}"
    return [DocumentFile(description, "pdf", PDF, pdf)]


def build_not_chosen(
    package: Package,
    provider: Provider | None,
    now: datetime,
    code: str | None = None,
    reason: str | None = None,
) -> list[DocumentFile]:
    """To a provider whose offer lost, with its D1-D4 code where the policy gives one."""
    provider = require_provider(package, provider)
    if package.awarded_provider_id == provider.pk:
        raise DocumentRefused(f"provider: {provider} was awarded package {package}; it was chosen")
    if code is None and reason is None:
        request = _latest_request(package, provider)
        recorded = (request.not_awarded if request is not None else "") or ""
        code = _CODE_OF_REASON.get(recorded, recorded if recorded in NOT_CHOSEN_REASONS else None)
        if code is None and recorded:
            reason = recorded
    code = (code or "").strip().upper() or None
    if code is not None and code not in NOT_CHOSEN_REASONS and not reason:
        raise DocumentRefused(
            f"code: unknown code {code!r}; use one of {', '.join(NOT_CHOSEN_REASONS)} "
            "or give the reason"
        )
    context = {
        **_common(package, now),
        "provider": addressee(provider),
        "code": code or "",
        "reason": reason or NOT_CHOSEN_REASONS.get(code or "", ""),
    }
    pdf = pdf_from_template("not_chosen.html", context)
    description = f"{package.case_number} Not chosen notice to {provider.name}"
    return [DocumentFile(description, "pdf", PDF, pdf)]
