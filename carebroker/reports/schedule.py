"""Scheduled report emails: the worker's duty (registered in apps.py).

Seed 003 has the Area Support Manager send a written report of the weekly Purchasing
wash-up to the Area Management Team the same day, and a monthly report on purchasing
activity (docs/policies.md §5). For a council whose policy has Kent's reports, from 08:00
London time on the first day after the period (Monday for the week, the 1st for the month),
one email per report and period goes to the council's managers (the app holds no Area
Management Team address), with the report as an .xlsx attachment.

Exactly once per period: the notice's key is the report and its period
("report:wash-up:2026-11-16"); the outbox queues a key once (outbox/notices.py), and a key
already queued is not built again. A worker that was down on the Monday sends it at its
next sweep; a period missed for longer is not sent late. The weekly variation report is the
providers' to send (seed 003), so it is not emailed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.outbox.notices import queue_notice
from carebroker.reports import kent
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.periods import Period, last_whole
from carebroker.reports.report import Report
from carebroker.reports.tables import to_xlsx
from carebroker.reports.waiting import DEFAULT_RULE

SEND_FROM = time(8, 0)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED_IDS = 20  # Mosaic IDs named in the email; the attachment has them all

Maker = Callable[[Council, WorkingCalendar, Period, datetime, int], Report]
SCHEDULED: tuple[tuple[str, str, Maker], ...] = (
    ("wash-up", "week", kent.wash_up),
    ("management", "month", kent.management_report),
)


def send_scheduled_reports(now: datetime) -> list[str]:
    if now.astimezone(LONDON).time() < SEND_FROM:
        return []
    lines: list[str] = []
    for council in Council.objects.order_by("pk"):
        policy, calendar = policy_and_calendar(council)
        if kent.has_kent_reports(policy):
            lines += _send(council, policy, calendar, now)
    return lines


def _send(council: Council, policy: Policy, calendar: WorkingCalendar, now: datetime) -> list[str]:
    lines = []
    red_days = (policy.waiting_list or DEFAULT_RULE).red_from_days
    for name, kind, maker in SCHEDULED:
        period = last_whole(kind, now)
        key = f"report:{name}:{period.key()}"
        if Notice.objects.filter(council=council, key=key).exists():
            continue
        managers = list(
            User.objects.filter(council=council, role=Role.MANAGER, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
        )
        report = maker(council, calendar, period, now, red_days)
        if not managers:
            lines.append(f"{council.name}: {report.title} not sent: no manager has an email")
            continue
        filename = f"{period.start:%Y %m %d} {report.title.lower()}.xlsx"
        with transaction.atomic():
            queue_notice(
                council=council,
                kind=NoticeKind.REPORT,
                key=key,
                to=managers,
                context={
                    "recipient": "Area Support Manager",
                    "title": report.title,
                    "period": report.period,
                    "lines": summary(report, red_days),
                },
                now=now,
                attachments=[(filename, to_xlsx(report.sections), XLSX)],
            )
        lines.append(f"{council.name}: {report.title} for {report.period} queued")
    return lines


def summary(report: Report, red_days: int) -> list[str]:
    """A few lines of the report's figures for the email's body."""
    lines = []
    if any(t.key == "areas" for t in report.sections):
        total = report.section("areas").rows[-1]
        lines.append(
            f"All areas: {total[1]} referrals in, {total[2]} placed, {total[3]} unfilled, "
            f"{total[4]} handed back, {total[5]} declines"
        )
    for table in report.sections:
        if table.key in ("declines", "handbacks", "non_contracted", "sanctions", "bypasses"):
            lines.append(f"{table.title}: {len(table.rows)}")
    waiting = report.section("waiting").rows
    if waiting:
        ids = ", ".join(str(row[0]) for row in waiting[:LISTED_IDS])
        more = f" and {len(waiting) - LISTED_IDS} more" if len(waiting) > LISTED_IDS else ""
        lines.append(f"Waiting {red_days} or more working days: {ids}{more}")
    else:
        lines.append(f"Nobody waiting {red_days} or more working days")
    return lines
