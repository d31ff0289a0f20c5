"""The daily batch report (policies.md §4.2): one email per provider and area listing every
package of that day's batch, instead of one email per package.

The engine sends each batch package's interest requests one by one at 16:00;
`send_batch_reports(now)` (a worker duty, run after `advance_due` in the same sweep) groups
the interest requests of batch stages still open to answers by provider, area and issue
time, and queues one `batch_report` notice per group. Its key names the provider, area and
issue time, so a report is queued once however many sweeps see it. No packages, no report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction

from carebroker.outbox.models import Notice, NoticeKind
from carebroker.outbox.notices import queue_notice
from carebroker.providers.models import Contact, ContactRole
from carebroker.sourcing.effects import stamp
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import SourcingRequest


def send_batch_reports(now: datetime) -> list[str]:
    """Queue the batch reports of batches issued by `now` whose answers are still due."""
    requests = (
        SourcingRequest.objects.filter(round="interest", sent_at__lte=now, deadline__gt=now)
        .select_related("package", "package__council", "package__area", "package__person")
        .order_by("package__council_id", "provider_id", "sent_at", "package__case_number")
    )
    groups: dict[tuple[int, int, str, datetime], list[SourcingRequest]] = defaultdict(list)
    batch_stages: dict[int, set[str]] = {}
    for request in requests:
        council = request.package.council
        if council.pk not in batch_stages:
            batch_stages[council.pk] = {
                s.name for s in policy_of(council).stages if s.kind == "batch"
            }
        if request.stage in batch_stages[council.pk]:
            area = request.package.area.name
            groups[(council.pk, request.provider_id, area, request.sent_at)].append(request)
    lines = []
    for (council_id, provider_id, area, sent_at), rows in groups.items():
        key = f"batch_report:{provider_id}:{area}:{stamp(sent_at)}"
        if Notice.objects.filter(council_id=council_id, key=key[:200]).exists():
            continue
        contacts = list(Contact.objects.filter(provider_id=provider_id).order_by("pk"))
        main = [c for c in contacts if c.role == ContactRole.MAIN] or contacts[:1]
        if not main:
            lines.append(f"batch report: provider {provider_id} has no contact; not sent")
            continue
        with transaction.atomic():
            queue_notice(
                council=rows[0].package.council,
                kind=NoticeKind.BATCH_REPORT,
                key=key[:200],
                to=[c.email for c in main],
                context={
                    "recipient": main[0].name,
                    "area": area,
                    "deadline": min(r.deadline for r in rows),
                    "packages": [_row(r) for r in rows],
                },
                now=now,
            )
        lines.append(f"batch report: {len(rows)} package(s) in {area} to provider {provider_id}")
    return lines


def _row(request: SourcingRequest) -> dict[str, object]:
    package = request.package
    return {
        "mosaic_id": package.case_number,
        "district": (package.person.postcode or "").split(" ")[0],
        "hours_per_week": package.hours_per_week,
        "preferred_start": package.preferred_start,
        "support_type": package.support_type,
        "urgent": package.urgent,
        "target_supply_area": package.target_supply_area,
        "enhanced_rate": package.enhanced_rate,
    }
