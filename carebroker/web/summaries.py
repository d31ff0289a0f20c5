"""What each role's home page shows: small queries, each scoped to the user's own council.

docs/architecture.md §8: brokers and managers see their council's packages; a referrer only
their own referrals; a provider user only its own organisation (no person's record).
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.engine.vocabulary import LIVE
from carebroker.providers.models import Provider
from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package, PackageStatus

# docs/policies.md §2-§3: who must act on a package waiting at each gate.
GATE_OWNERS = {
    "non_contracted_approval": "Area support manager",
    "sanction_approval": "Area support manager",
    "later_start": "Area support manager",
    "mini_competition": "Broker",
    "part_offer": "Referrer",
    "unable_to_fill": "Referrer",
    "open_market_choice": "Broker",
}


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def packages_by_status(council: Council) -> list[StatusCount]:
    """Every package status with its count for the council, zeros included."""
    counts = dict(
        Package.objects.filter(council=council)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    return [
        StatusCount(value, label, counts.get(value, 0)) for value, label in PackageStatus.choices
    ]


def packages_on_hold(council: Council) -> QuerySet[Package]:
    """Packages waiting at a gate, oldest referral first."""
    return (
        Package.objects.filter(council=council, status=PackageStatus.ON_HOLD)
        .select_related("area", "referral")
        .order_by("referral__received_at", "case_number")
    )


def packages_waiting(council: Council) -> int:
    """The waiting list, counted as its page counts it (views/waiting.py): packages being
    sourced, waiting for a decision or held (LIVE) that are waiting (`waiting_from`: the
    referral accepted, and no self-funder's grace still running)."""
    return Package.objects.filter(
        council=council,
        status__in=LIVE,
        waiting_from__isnull=False,
    ).count()


def referrals_of(user: User) -> QuerySet[Referral]:
    """The referrer's own referrals in their council, newest first."""
    return (
        Referral.objects.filter(council_id=user.council_id, referrer=user)
        .select_related("person")
        .prefetch_related("packages")
        .order_by("-received_at")
    )


def provider_of(user: User) -> Provider | None:
    """The provider user's own organisation, only if it belongs to the user's council."""
    if user.provider_id is None:
        return None
    return Provider.objects.filter(pk=user.provider_id, council_id=user.council_id).first()


def awards_to(provider: Provider) -> int:
    return Package.objects.filter(council_id=provider.council_id, awarded_provider=provider).count()
