"""Where a referral's package stands, in the referrer's words: waiting to be checked,
returned, being sourced, waiting for a decision, placed with whom and starting when."""

from __future__ import annotations

from datetime import date

from carebroker.lib.london import long_date
from carebroker.referrals.models import Referral, ReferralStatus
from carebroker.sourcing.models import Package


def progress_of(referral: Referral, package: Package) -> str:
    """One sentence for the referrer; the package's own status only once accepted (before
    that the package is not yet being sourced, whatever its stored default says)."""
    if referral.status == ReferralStatus.RECEIVED:
        return "Waiting for a broker to check the referral"
    if referral.status == ReferralStatus.RETURNED:
        return "Returned to you: correct the referral and send it again"
    status = package.status
    if status == "awarded" and package.awarded_provider is not None:
        start = _start_of(package)
        return f"Placed with {package.awarded_provider.name}, starting {long_date(start)}"
    words = {
        "sourcing": "Being sourced: providers are being asked",
        "on_hold": "Waiting for a decision",
        "held": "Held by a broker",
    }
    return words.get(status, package.get_status_display())


def _start_of(package: Package) -> date:
    """The start date the winner gave (or confirmed), else the date asked for."""
    row = (
        package.requests.filter(provider_id=package.awarded_provider_id, start__isnull=False)
        .order_by("-seq")
        .values_list("start", flat=True)
        .first()
    )
    return row or package.preferred_start
