"""Each provider's delivery record for the weighted award (docs/policies.md §9): the share
of planned visits delivered on time in its latest EHM return, in percent."""

from __future__ import annotations

from decimal import Decimal

from carebroker.councils.models import Council
from carebroker.exchange.models import EhmSubmission


def delivery_by_provider(council: Council) -> dict[int, Decimal]:
    """Provider pk -> 100 x (delivered - late) / planned of its latest return (by period end);
    a return with no planned visits says nothing."""
    found: dict[int, Decimal] = {}
    latest = EhmSubmission.objects.filter(council=council).order_by(
        "provider_id", "-period_end", "-received_at"
    )
    for row in latest:
        if row.provider_id in found or not row.planned_visits:
            continue
        on_time = max(0, row.delivered_visits - row.late_visits)
        found[row.provider_id] = Decimal(100) * on_time / row.planned_visits
    return found
