"""Days waiting and RAG on list pages, worked out in the database where it can be.

Days waiting are working days from when the package started waiting to today
(docs/policies.md §5): `Package.waiting_from`, stored by the write path
(sourcing/waiting_from.py): the acceptance, a self-funder's grace end, or the last handback;
null while it is not waiting (a self-funder in its grace is never counted). The days only
grow as that start gets older, so "longest waiting first" is "waiting from earliest first",
and "amber or worse" is "waiting from on or before the last day that is 5 working days ago":
a list can filter, sort and page in SQL and work out the days only for the rows it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery

from carebroker.councils.models import Council
from carebroker.engine.policy import Policy, WaitingList
from carebroker.engine.vocabulary import LIVE, EventType
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.sourcing import market_db
from carebroker.sourcing.models import Package, TimelineEvent

# No threshold is further back than this many calendar days (a long closure would be odd).
SEARCH_DAYS = 400


def policy_and_calendar(council: Council) -> tuple[Policy, WorkingCalendar]:
    """The council's policy and working calendar, without loading its providers: read once
    per process and stored text, in the one cache (sourcing/market_db.py), so a page does
    not read TOML and build holidays on every request."""
    return market_db.policy_and_calendar(council)


def today_in_london(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def accepted_by(calendar: WorkingCalendar, now: datetime, days: int) -> datetime:
    """The moment before which a package waiting from then has waited at least `days`
    working days."""
    today = today_in_london(now)
    day = today
    for _ in range(SEARCH_DAYS):
        if calendar.working_days_between(day, today) >= days:
            break
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def rag_bounds(
    rule: WaitingList, calendar: WorkingCalendar, now: datetime
) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Each RAG as a range [from, before) of `waiting_from` for a database filter."""
    amber = accepted_by(calendar, now, rule.amber_from_days)
    red = accepted_by(calendar, now, rule.red_from_days)
    return {"green": (amber, None), "amber": (red, amber), "red": (None, red)}


def rag_condition(bound: tuple[datetime | None, datetime | None]) -> Q:
    """The packages (of a Package query) whose wait started in a RAG's range: never one
    that is not waiting (not accepted, or a self-funder in its grace)."""
    start, before = bound
    condition = Q(waiting_from__isnull=False)
    if start is not None:
        condition &= Q(waiting_from__gte=start)
    if before is not None:
        condition &= Q(waiting_from__lt=before)
    return condition


@dataclass(frozen=True)
class WaitingRow:
    """A package on a list page with its days waiting and RAG (None: not accepted yet)."""

    package: Package
    days_waiting: int | None
    rag: str | None
    grace_until: datetime | None = None  # a self-funder still in its grace (§5)


def _moment(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def grace_ends(packages: list[Package]) -> dict[int, datetime]:
    """Package pk -> the end of its self-funder's grace (docs/policies.md §5 Self-funders),
    for the packages given that had one: read from `with_grace_ends`' annotation when the
    rows carry it, else in one query."""
    if all(hasattr(p, GRACE_ENDS) for p in packages):
        return {p.pk: _moment(getattr(p, GRACE_ENDS)) for p in packages if getattr(p, GRACE_ENDS)}
    events = TimelineEvent.objects.filter(
        package__in=[p.pk for p in packages], type=EventType.SELF_FUNDER_GRACE
    ).values_list("package_id", "details__grace_ends")
    return {pk: _moment(at) for pk, at in events if at}


GRACE_ENDS = "grace_ends_at"


def with_grace_ends(rows: QuerySet[Package]) -> QuerySet[Package]:
    """The rows with their grace end (or None) beside them, in the same query: a list page
    keeps its fixed number of queries."""
    grace = TimelineEvent.objects.filter(
        package=OuterRef("pk"), type=EventType.SELF_FUNDER_GRACE
    ).order_by("-pk")
    return rows.annotate(**{GRACE_ENDS: Subquery(grace.values("details__grace_ends")[:1])})


def waiting_rows(
    packages: list[Package],
    calendar: WorkingCalendar,
    rule: WaitingList | None,
    now: datetime,
    graces: dict[int, datetime] | None = None,
) -> list[WaitingRow]:
    """Each package's days waiting and RAG, from its stored `waiting_from` (the same start
    the list's filters and sort read). A self-funder's package (`graces`) still in its grace
    shows its grace end instead."""
    today = today_in_london(now)
    rows = []
    for package in packages:
        grace = (graces or {}).get(package.pk)
        started = package.waiting_from
        if started is None:
            in_grace = grace is not None and grace > now and package.status in LIVE
            rows.append(WaitingRow(package, None, None, grace if in_grace else None))
            continue
        if package.status not in LIVE:
            # The wait ends when the package is placed (or stops): its days are counted to
            # the award and it carries no RAG (issue 11 finding 6; docs/policies.md §5
            # Waiting list is about packages still waiting).
            end = package.awarded_at
            days = (
                calendar.working_days_between(today_in_london(started), today_in_london(end))
                if end is not None
                else None
            )
            rows.append(WaitingRow(package, days, None))
            continue
        days = calendar.working_days_between(today_in_london(started), today)
        rows.append(WaitingRow(package, days, rule.rag(days) if rule else None))
    return rows
