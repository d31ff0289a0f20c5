"""Lists of many packages sent to a provider as one email, instead of one per package:

- the daily batch report (docs/policies.md §4.2): every package of that day's batch in an area,
  for each Tier 1 provider of the area; answer by the interest deadline;
- the Available Packages list (docs/policies.md §4.4): every package on the open market, for
  each framework and spot provider, on the listing days.

The engine sends each package's requests one by one (`effects.py` leaves these out);
these worker duties, run after `advance_due` in the same sweep, group the open requests of
those stages by provider and queue one notice per group. A key names the provider and the
batch (its issue time) or the listing (the next listing, which is the requests' deadline),
so each is queued once however many sweeps see it. No packages, no email.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from carebroker.engine.market import Market
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.batch_report import XLSX, batch_report_xlsx, report_filename
from carebroker.lib.london import LONDON
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.outbox.notices import queue_notice
from carebroker.providers.models import Contact, ContactRole
from carebroker.sourcing.effects import hours, stamp
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import SourcingRequest
from carebroker.sourcing.urgency import package_is_urgent

logger = logging.getLogger(__name__)

Group = tuple[int, int, str, datetime]  # council, provider, area ("" for any), batch instant


def send_batch_reports(now: datetime) -> list[str]:
    """Queue the batch reports of batches issued by `now` whose answers are still due."""
    lines: list[str] = []
    groups = _open_requests(
        now, "batch", "interest", lambda r: (r.package.area.name, r.sent_at), lines
    )
    workbooks: dict[tuple[object, ...], list[tuple[str, bytes, str]]] = {}
    keys = {group: f"batch_report:{group[1]}:{group[2]}:{stamp(group[3])}" for group in groups}
    queued = _queued(keys)
    for (council_id, provider_id, area, sent_at), rows in groups.items():
        key = keys[(council_id, provider_id, area, sent_at)]
        if (council_id, key[:200]) in queued:
            continue
        context = {"area": area, "deadline": min(r.deadline for r in rows)}
        attach = partial(_workbook, workbooks, area, sent_at, rows, context["deadline"])
        if _queue(
            council_id, provider_id, NoticeKind.BATCH_REPORT, key, context, rows, now, attach
        ):
            lines.append(
                f"batch report: {len(rows)} package(s) in {area} to provider {provider_id}"
            )
    return lines


def send_open_market_lists(now: datetime) -> list[str]:
    """Queue each provider's Available Packages list of the listing made by `now`."""
    lines: list[str] = []
    groups = _open_requests(now, "open_market", "offer", lambda r: ("", r.deadline), lines)
    keys = {group: f"open_market_list:{group[1]}:{stamp(group[3])}" for group in groups}
    queued = _queued(keys)
    for (council_id, provider_id, _, following), rows in groups.items():
        key = keys[(council_id, provider_id, "", following)]
        if (council_id, key[:200]) in queued:
            continue
        context = {"issued_on": timezone.localdate(now)}
        if _queue(council_id, provider_id, NoticeKind.OPEN_MARKET_LIST, key, context, rows, now):
            lines.append(f"open market: {len(rows)} package(s) listed to provider {provider_id}")
    return lines


def _open_requests(
    now: datetime,
    stage_kind: str,
    round_: str,
    group_of: Callable[[SourcingRequest], tuple[str, datetime]],
    failed: list[str],
) -> dict[Group, list[SourcingRequest]]:
    """The open requests by group; a council whose policy cannot be loaded is skipped,
    logged and added to `failed`, and the other councils go on (issue 12 finding 5)."""
    requests = (
        SourcingRequest.objects.filter(
            round=round_, outcome="open", sent_at__lte=now, deadline__gt=now
        )
        .select_related(
            "package", "package__council", "package__area", "package__person", "package__referral"
        )
        .order_by("package__council_id", "provider_id", "sent_at", "package__case_number")
    )
    stages: dict[int, set[str]] = {}
    groups: dict[Group, list[SourcingRequest]] = defaultdict(list)
    for request in requests:
        council = request.package.council
        if council.pk not in stages:
            try:
                policy = policy_of(council)
            except Exception:
                logger.exception("the policy of council %s cannot be loaded", council.slug)
                failed.append(
                    f"{stage_kind.replace('_', ' ')}: council {council.slug} FAILED (its policy "
                    "cannot be loaded; see the log)"
                )
                stages[council.pk] = set()
                continue
            stages[council.pk] = {s.name for s in policy.stages if s.kind == stage_kind}
        if request.stage in stages[council.pk]:
            area, instant = group_of(request)
            groups[(council.pk, request.provider_id, area, instant)].append(request)
    return groups


def _queued(keys: dict[Group, str]) -> set[tuple[int, str]]:
    """The (council, key) pairs among `keys` already queued, in one query: every sweep sees
    every open request's group again, and a query per group per sweep was most of the
    list lane's time once the lists were out (_queue still checks, for a race)."""
    wanted = {key[:200] for key in keys.values()}
    councils = {group[0] for group in keys}
    return set(
        Notice.objects.filter(council_id__in=councils, key__in=wanted).values_list(
            "council_id", "key"
        )
    )


def _workbook(
    cache: dict[tuple[object, ...], list[tuple[str, bytes, str]]],
    area: str,
    sent_at: datetime,
    rows: list[SourcingRequest],
    deadline: datetime,
) -> list[tuple[str, bytes, str]]:
    """The batch report .xlsx (exchange/batch_report.py): one per area and batch, shared."""
    same = (area, sent_at, tuple(r.package_id for r in rows))
    if same not in cache:
        council = rows[0].package.council
        content = batch_report_xlsx(council, area, [r.package for r in rows], sent_at, deadline)
        cache[same] = [(report_filename(sent_at.astimezone(LONDON).date(), area), content, XLSX)]
    return cache[same]


def _queue(
    council_id: int,
    provider_id: int,
    kind: str,
    key: str,
    context: dict[str, object],
    rows: list[SourcingRequest],
    now: datetime,
    attachments: Callable[[], list[tuple[str, bytes, str]]] | None = None,
) -> bool:
    key = key[:200]
    if Notice.objects.filter(council_id=council_id, key=key).exists():
        return False
    contacts = list(Contact.objects.filter(provider_id=provider_id).order_by("pk"))
    main = [c for c in contacts if c.role == ContactRole.MAIN] or contacts[:1]
    if not main:
        return False  # a provider without a contact: the admin shows it; nothing to send
    with transaction.atomic():
        queue_notice(
            council=rows[0].package.council,
            kind=kind,
            key=key,
            to=[c.email for c in main],
            context={"recipient": main[0].name, "packages": _rows(rows), **context},
            now=now,
            attachments=attachments() if attachments else (),
        )
    return True


def _rows(rows: list[SourcingRequest]) -> list[dict[str, object]]:
    council = rows[0].package.council
    policy = policy_of(council)
    calendar = Market.of(policy, ()).calendar
    return [_row(r, policy, calendar) for r in rows]


def _row(request: SourcingRequest, policy: Policy, calendar: WorkingCalendar) -> dict[str, object]:
    package = request.package
    return {
        "mosaic_id": package.case_number,
        "district": (package.person.postcode or "").split(" ")[0],
        "hours_per_week": hours(package.hours_per_week),
        "preferred_start": package.preferred_start,
        "support_type": package.support_type,
        "urgent": package_is_urgent(package, policy, calendar),  # §4.1, one rule
        "target_supply_area": package.target_supply_area,
        "enhanced_rate": package.enhanced_rate,
    }
