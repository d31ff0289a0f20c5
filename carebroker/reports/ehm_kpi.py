"""Essex's EHM KPI (docs/policies.md §4 Monitoring (EHM); seed 002 FAQ 4): every provider
sends its Electronic Homecare Monitoring file every four weeks, Tier 1 first, and "for KPI
scoring purposes, providers will be deemed to have submitted a file for the first 4 week
period".

Decisions where the seed is silent (pinned by tests/reports/test_ehm_kpi.py):

- The four-weekly periods start on Monday 5 January 2026, the first Monday of January 2026
  (Tier 1 "will be required to submit the data ... from January 2026 onwards"), each as
  long as the policy's `ehm_csv_every_weeks`.
- A period's file is due by 17:00 on the fifth working day after the period ends.
- A file belongs to the period its first visit falls in (`EhmSubmission.period_start`).
- Tier 2 providers are listed after Tier 1, "not yet required": the council has not yet set
  their date ("we will notify tier 2 providers ... in due course").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from carebroker.councils.models import Council
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.models import EhmSubmission
from carebroker.lib.london import LONDON
from carebroker.providers.models import Provider
from carebroker.reports.report import Report
from carebroker.reports.tables import Table
from carebroker.reports.words import day_words, percent

FIRST_PERIOD = date(2026, 1, 5)
DUE_AFTER_WORKING_DAYS = 5


@dataclass(frozen=True)
class EhmPeriod:
    number: int  # 1 is the first period, deemed submitted
    start: date
    end: date
    due: datetime

    def words(self) -> str:
        return f"{day_words(self.start)} to {day_words(self.end)}"


def periods(calendar: WorkingCalendar, weeks: int, now: datetime) -> list[EhmPeriod]:
    """Every period that has started by `now`."""
    today = now.astimezone(LONDON).date()
    found = []
    start, n = FIRST_PERIOD, 1
    while start <= today:
        end = start + timedelta(weeks=weeks) - timedelta(days=1)
        day = end
        for _ in range(DUE_AFTER_WORKING_DAYS):
            day = calendar.next_working_day(day)
        found.append(EhmPeriod(n, start, end, datetime.combine(day, time(17), tzinfo=LONDON)))
        start, n = end + timedelta(days=1), n + 1
    return found


def ehm_kpi(council: Council, calendar: WorkingCalendar, weeks: int, now: datetime) -> Report:
    providers = list(
        Provider.objects.filter(council=council, tier__isnull=False).order_by("tier", "name")
    )
    submissions: dict[int, list[EhmSubmission]] = defaultdict(list)
    for row in (
        EhmSubmission.objects.filter(council=council)
        .select_related("provider")
        .order_by("provider__tier", "provider__name", "period_start")
    ):
        submissions[row.provider_id].append(row)
    schedule = periods(calendar, weeks, now)
    summary, overdue = [], []
    for provider in providers:
        if provider.tier != 1:
            summary.append((provider.name, provider.tier, 0, 0, 0, "", "Not yet required"))
            continue
        files = submissions.get(provider.pk, [])
        due = [p for p in schedule if p.due <= now]
        sent = 0
        for period in due:
            if period.number == 1 or any(
                period.start <= f.period_start <= period.end for f in files
            ):
                sent += 1
            else:
                days = calendar.working_days_between(
                    period.due.astimezone(LONDON).date(), now.astimezone(LONDON).date()
                )
                overdue.append(
                    (provider.name, provider.tier, period.words(), period.due.date(), days)
                )
        coming = next((p for p in schedule if p.due > now), None)
        last = max((f.received_at for f in files), default=None)
        summary.append(
            (
                provider.name,
                provider.tier,
                len(due),
                sent,
                len(due) - sent,
                day_words(last) if last else "None yet",
                day_words(coming.due) if coming else "",
            )
        )
    visits = [
        (
            f.provider.name,
            f"{day_words(f.period_start)} to {day_words(f.period_end)}",
            f.planned_visits,
            f.delivered_visits,
            f.late_visits,
            f.missed_visits,
            f.short_visits,
            percent(f.delivered_visits, f.planned_visits),
        )
        for provider in providers
        for f in submissions.get(provider.pk, [])
    ]
    return Report(
        "ehm-kpi",
        "EHM KPI",
        f"Four-weekly periods from {day_words(FIRST_PERIOD)} to {day_words(now)}",
        [
            Table(
                "schedule",
                "Files per provider",
                (
                    "Provider",
                    "Tier",
                    "Files due",
                    "Files in (the first period deemed in)",
                    "Overdue",
                    "Last file received",
                    "Next file due",
                ),
                summary,
                numeric=frozenset({1, 2, 3, 4}),
                empty="No provider has a tier.",
            ),
            Table(
                "overdue",
                "Overdue files",
                ("Provider", "Tier", "Period", "Due on", "Working days overdue"),
                overdue,
                numeric=frozenset({1, 4}),
                empty="No file is overdue.",
            ),
            Table(
                "visits",
                "Visits planned and delivered",
                (
                    "Provider",
                    "Period",
                    "Planned",
                    "Delivered",
                    "Late",
                    "Missed",
                    "Short",
                    "Delivered share",
                ),
                visits,
                numeric=frozenset(range(2, 8)),
                empty="No EHM file has been received.",
            ),
        ],
        intro="Every framework provider sends its EHM visit file every four weeks, Tier 1 "
        "first; the first period is deemed submitted. A file is due by 17:00 on the fifth "
        "working day after its period ends.",
    )
