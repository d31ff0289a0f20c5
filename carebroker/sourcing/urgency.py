"""Whether a package row is urgent, by the one rule (docs/policies.md §4.1,
`engine.market.is_urgent`): the batch page, the batch email and the .xlsx ask here, and the
engine asks the same function, so they cannot disagree (issue 11 finding 7)."""

from __future__ import annotations

from carebroker.engine.market import is_urgent
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.sourcing.models import Package


def package_is_urgent(row: Package, policy: Policy, calendar: WorkingCalendar) -> bool:
    """Counted from the day the referral came in (as `market_db.engine_package` does)."""
    return is_urgent(
        policy.urgent,
        calendar,
        referred_on=row.referral.received_at.astimezone(LONDON).date(),
        preferred_start=row.preferred_start,
        urgent=row.urgent,
        hospital_discharge=row.hospital_discharge,
        emergency=row.emergency,
    )
