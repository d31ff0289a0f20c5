"""The dashboard's figures for one council, a date range and optionally one area.

Each figure is a `Table` (reports/tables.py) computed with grouped queries: the number of
queries is the same for ten packages or a hundred thousand. Where a figure needs working
time (referral to award, time to answer), the write path stored it with the award and the
answer (sourcing/working_time.py) and the database picks the values at the nearest ranks
(`stored_spreads`); a range holding a row stored around the write path (a bulk load) is
worked out from each row's times by the council's `WorkingCalendar` as before.

Definitions (issue 13 is silent on these; each is pinned by tests/reports/test_figures.py):

- A **week** is Monday to Sunday, London time, labelled by its Monday.
- **Referrals in**: referrals received in the week (with an area: those with a package there).
- **Placed** and **hours of care sourced**: packages whose award falls in the week, and
  the sum of their hours per week (a package handed back and placed again counts at its
  latest award, the one on the package).
- **Unfilled**: the engine's "unfilled" event, or the policy's "unable to fill" gate raised.
- **Handed back**: handback events (docs/policies.md §5 Handbacks).
- **Referral to award**: working hours from the referral's receipt to the award, by the
  stage that awarded and by area; median and 90th percentile by the nearest-rank rule.
- **Waiting list by RAG**: at the end of each week (now, for this week), the packages whose
  referral was accepted by then and that were still waiting: live now, or awarded after
  that moment. Packages now closed, cancelled, returned or unfilled carry no end time, so
  they are left out of past weeks.
- **Provider responsiveness**, for requests sent in the range: answered (any answer),
  answered in time (by the request's deadline), median working hours to answer,
  acceptance rate (offers and acceptances over offers, acceptances and declines),
  declines, handbacks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Manager, Model, Q, QuerySet, Sum, Value, Window
from django.db.models.fields.json import KT
from django.db.models.functions import RowNumber

from carebroker.councils.models import Council
from carebroker.engine.policy import Policy, WaitingList
from carebroker.engine.vocabulary import LIVE
from carebroker.engine.workingtime import WorkingCalendar, hours_of
from carebroker.lib.london import LONDON
from carebroker.providers.models import Provider
from carebroker.referrals.models import Referral
from carebroker.reports import stats
from carebroker.reports.filters import Filters
from carebroker.reports.tables import Table
from carebroker.reports.waiting import DEFAULT_RULE, accepted_before, days_waiting, week_end
from carebroker.reports.words import hours, percent, reason_words, words
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

YES = ("offer", "accept")
ANSWERED_YES_OR_NO = ("offer", "accept", "decline")
LONG_WAIT_SHOWN = 200  # the page lists this many; the downloads list them all
TO_AWARD = "Working hours from referral to award"


@dataclass(frozen=True)
class Scope:
    """What every figure is computed for."""

    council: Council
    policy: Policy
    calendar: WorkingCalendar
    filters: Filters
    now: datetime

    @property
    def rule(self) -> WaitingList:
        return self.policy.waiting_list or DEFAULT_RULE

    def packages(self) -> QuerySet[Package]:
        rows = Package.objects.filter(council=self.council)
        if self.filters.area is not None:
            rows = rows.filter(area=self.filters.area)
        return rows

    def requests(self) -> QuerySet[SourcingRequest]:
        f = self.filters
        rows = of_council(SourcingRequest.objects, self.council).filter(
            sent_at__gte=f.since, sent_at__lt=f.until
        )
        if f.area is not None:
            rows = rows.filter(package__area=f.area)
        return rows

    def events(self, *types: str) -> QuerySet[TimelineEvent]:
        f = self.filters
        rows = of_council(TimelineEvent.objects, self.council).filter(
            at__gte=f.since, at__lt=f.until, type__in=types
        )
        if f.area is not None:
            rows = rows.filter(package__area=f.area)
        return rows


def of_council[M: Model](rows: Manager[M] | QuerySet[M], council: Council) -> QuerySet[M]:
    """A request's or timeline event's rows of one council, found by their time first.

    Their council is their package's. Compared as `package.council_id + 0`, the condition
    cannot lead the query: without it SQLite reads every package of the council and then
    their requests (seconds at 100,000 packages) instead of the few sent in the range,
    through the time index (`request_sent_at`, `timeline_type_at`).
    """
    return rows.alias(council_of=F("package__council_id") + Value(0)).filter(council_of=council.pk)


def _week_bounds(filters: Filters) -> list[tuple[date, datetime, datetime]]:
    """Each week of the range: its Monday and the instants it covers, cut to the range."""
    bounds = []
    for monday in filters.weeks():
        start = datetime.combine(monday, time(0), tzinfo=LONDON)
        end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=LONDON)
        bounds.append((monday, max(start, filters.since), min(end, filters.until)))
    return bounds


def _per_week(
    rows: QuerySet, field: str, weeks: list[tuple[date, datetime, datetime]], **values: Any
) -> dict[str, list[Any]]:
    """One aggregate over `rows`: each value (an aggregate given a `filter=`-less template
    as a (function, column, extra filter) triple) for each week, by comparing `field` with
    the week's bounds: plain comparisons, so the database needs no time-zone functions."""
    aggregates = {}
    for name, (function, column, extra) in values.items():
        for i, (_, start, end) in enumerate(weeks):
            within = Q(**{f"{field}__gte": start, f"{field}__lt": end}) & extra
            options = {"distinct": True} if function is Count else {}
            aggregates[f"{name}_{i}"] = function(column, filter=within, **options)
    found = rows.aggregate(**aggregates) if aggregates else {}
    return {name: [found[f"{name}_{i}"] or 0 for i in range(len(weeks))] for name in values}


# -- flow per week ---------------------------------------------------------------------


def flow(scope: Scope) -> Table:
    """Referrals in, placed, unfilled and handed back per week."""
    f = scope.filters
    weeks = _week_bounds(f)
    referrals = Referral.objects.filter(
        council=scope.council, received_at__gte=f.since, received_at__lt=f.until
    )
    if f.area is not None:
        referrals = referrals.filter(packages__area=f.area)
    referred = _per_week(referrals, "received_at", weeks, n=(Count, "id", Q()))["n"]
    placed = _per_week(_awarded(scope), "awarded_at", weeks, n=(Count, "id", Q()))["n"]
    ends = _per_week(
        scope.events("unfilled", "gate_raised", "handback"),
        "at",
        weeks,
        unfilled=(
            Count,
            "id",
            Q(type="unfilled") | Q(type="gate_raised", details__gate="unable_to_fill"),
        ),
        handback=(Count, "id", Q(type="handback")),
    )
    rows = [
        (monday, referred[i], placed[i], ends["unfilled"][i], ends["handback"][i])
        for i, (monday, _, _) in enumerate(weeks)
    ]
    return Table(
        "flow",
        "Referrals, placements, unfilled and handbacks per week",
        ("Week beginning", "Referrals in", "Placed", "Unfilled", "Handed back"),
        rows,
        numeric=frozenset({1, 2, 3, 4}),
    )


def _awarded(scope: Scope) -> QuerySet[Package]:
    f = scope.filters
    return scope.packages().filter(awarded_at__gte=f.since, awarded_at__lt=f.until)


def hours_sourced(scope: Scope) -> Table:
    """Hours of care a week placed, per week of award."""
    weeks = _week_bounds(scope.filters)
    found = _per_week(_awarded(scope), "awarded_at", weeks, h=(Sum, "hours_per_week", Q()))["h"]
    rows = [(monday, Decimal(found[i])) for i, (monday, _, _) in enumerate(weeks)]
    return Table(
        "hours",
        "Hours of care sourced per week",
        ("Week beginning", "Hours a week placed"),
        rows,
        numeric=frozenset({1}),
    )


# -- referral to award -----------------------------------------------------------------


def referral_to_award(scope: Scope) -> tuple[Table, Table]:
    """Working hours from referral to award, by stage and by area."""
    f = scope.filters
    awarded = scope.packages().filter(awarded_at__gte=f.since, awarded_at__lt=f.until)
    found = stored_spreads(
        awarded,
        "working_time_to_award",
        {"stage": "stage", "area": "area__name", "all": None},
        (MEDIAN, P90),
    )
    by_stage: dict[str, Spread] = {}
    if found is not None:
        for code, spread in found["stage"].items():
            name = words(code) or "Not recorded"
            if name in by_stage:  # two stage codes in the same words: counted together
                found = None
                break
            by_stage[name] = spread
    if found is None:  # a row the write path did not store (bench/, a bulk load): as before
        by_stage, by_area, everything = _referral_to_award_worked_out(scope, awarded)
    else:
        by_area, everything = found["area"], found["all"].get("")
    order = {words(s.name): i for i, s in enumerate(scope.policy.stages)}

    def table(key: str, title: str, label: str, groups: dict[str, Spread]) -> Table:
        names = sorted(groups, key=lambda n: (order.get(n, len(order)), n))
        rows = [groups[name].row(name) for name in names]
        if everything is not None:
            rows.append(everything.row("All"))
        return Table(
            key,
            title,
            (label, "Placed", "Median working hours", "90th percentile working hours"),
            rows,
            numeric=frozenset({1, 2, 3}),
            empty="No package was placed in this period.",
        )

    return (
        table(
            "award_by_stage", "Working hours from referral to award, by stage", "Stage", by_stage
        ),
        table("award_by_area", "Working hours from referral to award, by area", "Area", by_area),
    )


def _referral_to_award_worked_out(
    scope: Scope, awarded: QuerySet[Package]
) -> tuple[dict[str, Spread], dict[str, Spread], Spread | None]:
    """The spreads worked out from each award's times, one award at a time (seconds at
    100,000 packages: only for rows stored around the write path)."""
    by_stage: dict[str, list[Decimal]] = defaultdict(list)
    by_area: dict[str, list[Decimal]] = defaultdict(list)
    everything: list[Decimal] = []
    for stage, area, received, awarded_at in awarded.values_list(
        "stage", "area__name", "referral__received_at", "awarded_at"
    ):
        spent = scope.calendar.working_hours_between(received, awarded_at)
        by_stage[words(stage) or "Not recorded"].append(spent)
        by_area[area].append(spent)
        everything.append(spent)
    return (
        {name: Spread.of(values) for name, values in by_stage.items()},
        {name: Spread.of(values) for name, values in by_area.items()},
        Spread.of(everything) if everything else None,
    )


# -- nearest ranks in the database ------------------------------------------------------

MEDIAN, P90 = (1, 2), (9, 10)  # shares as fractions: the nearest rank is ceil(a * n / b)


@dataclass(frozen=True)
class Spread:
    """A group's count and its values at the nearest ranks of some shares (reports/stats.py)."""

    n: int
    at: dict[tuple[int, int], Decimal]

    @classmethod
    def of(cls, values: list[Decimal]) -> Spread:
        return cls(
            len(values),
            {
                share: value
                for share in (MEDIAN, P90)
                if (value := stats.nearest_rank(values, share[0] / share[1])) is not None
            },
        )

    def row(self, name: str) -> tuple[str, int, Decimal | None, Decimal | None]:
        return (name, self.n, hours(self.at.get(MEDIAN)), hours(self.at.get(P90)))


def stored_spreads(
    rows: QuerySet,
    column: str,
    partitions: dict[str, str | None],
    shares: tuple[tuple[int, int], ...],
) -> dict[str, dict[Any, Spread]] | None:
    """Per partition (name: the field grouped by, None for all the rows), each group's count
    and the stored working time (a DurationField, sourcing/working_time.py) at the nearest
    rank of each share, in hours: one query, the ranks picked by the database with window
    functions, so only the few rows at those ranks come back. None when a row of `rows` has
    no stored value (the caller then works the hours out as before)."""
    order = [F(column).asc(), F("pk").asc()]
    annotations: dict[str, Any] = {
        # Count("*"), not Count("pk"): the same window twice (a partition of all the rows
        # below) is selected once by Django, and the columns read back shift.
        "rows_all": Window(Count("*")),
        "rows_stored": Window(Count(column)),
    }
    wanted = Q(pk__in=[])
    for name, by in partitions.items():
        group = [F(by)] if by else None
        if by:  # (a constant annotation breaks Django's filter on windows: none for all)
            annotations[f"{name}_key"] = F(by)
        annotations[f"{name}_rank"] = Window(RowNumber(), partition_by=group, order_by=order)
        annotations[f"{name}_n"] = Window(Count("pk"), partition_by=group)
        for a, b in shares:  # rank == ceil(a * n / b), in integers
            wanted |= Q(**{f"{name}_rank": (F(f"{name}_n") * a + (b - 1)) / b})
    found: dict[str, dict[Any, Spread]] = {name: {} for name in partitions}
    for row in rows.annotate(**annotations).filter(wanted).values(column, *annotations):
        if row["rows_all"] != row["rows_stored"]:
            return None
        for name in partitions:
            key, n, rank = row.get(f"{name}_key", ""), row[f"{name}_n"], row[f"{name}_rank"]
            spread = found[name].setdefault(key, Spread(n, {}))
            for a, b in shares:
                if rank == (a * n + b - 1) // b:
                    spread.at[(a, b)] = hours_of(row[column])
    return found


# -- the waiting list -----------------------------------------------------------------


def waiting_by_rag(scope: Scope) -> Table:
    """Packages waiting at the end of each week, by RAG: two queries for every week. A
    package waits from its stored start (`waiting_from`, sourcing/waiting_from.py): its
    acceptance, a self-funder's grace end (never counted during the grace) or its last
    handback."""
    rule, calendar = scope.rule, scope.calendar
    counts: dict[str, Count] = {}
    moments = []
    for i, week in enumerate(scope.filters.weeks()):
        at = week_end(week, scope.now)
        moments.append(at)
        amber = accepted_before(calendar, at, rule.amber_from_days)
        red = accepted_before(calendar, at, rule.red_from_days)
        waiting = Q(waiting_from__lt=at) & (Q(status__in=LIVE) | Q(awarded_at__gt=at))
        counts[f"g{i}"] = Count("id", filter=waiting & Q(waiting_from__gte=amber))
        counts[f"a{i}"] = Count(
            "id", filter=waiting & Q(waiting_from__gte=red, waiting_from__lt=amber)
        )
        counts[f"r{i}"] = Count("id", filter=waiting & Q(waiting_from__lt=red))
    # Only packages waiting at some week's end can count: waiting by the last moment, and
    # live now, or awarded after the first moment (most awarded packages are long past).
    # Two queries, each led by its own index (package_council_status,
    # package_council_awarded); their counts add up.
    found: dict[str, int] = defaultdict(int)
    if moments:
        accepted = scope.packages().filter(waiting_from__lt=max(moments))
        for rows in (
            accepted.filter(status__in=LIVE),
            accepted.filter(awarded_at__gt=min(moments)).exclude(status__in=LIVE),
        ):
            for key, n in rows.aggregate(**counts).items():
                found[key] += n or 0
    rows = [
        (week, found[f"g{i}"], found[f"a{i}"], found[f"r{i}"])
        for i, week in enumerate(scope.filters.weeks())
    ]
    return Table(
        "waiting",
        "Waiting list by RAG at the end of each week",
        ("Week beginning", "Green", "Amber", "Red"),
        rows,
        numeric=frozenset({1, 2, 3}),
    )


def long_waits(scope: Scope, limit: int | None = LONG_WAIT_SHOWN) -> tuple[Table, int]:
    """Today's people waiting 10 or more working days (the red threshold), longest first;
    and how many there are in all."""
    days = scope.rule.red_from_days
    before = accepted_before(scope.calendar, scope.now, days)
    rows = scope.packages().filter(status__in=LIVE, waiting_from__lt=before)
    total = rows.count()
    # The engine's snapshot (15 kB a package) is not shown: not loaded (bench/pages.py).
    shown = (
        rows.select_related("person", "area", "referral")
        .defer("engine_state")
        .order_by("waiting_from", "case_number")
    )
    if limit is not None:
        shown = shown[:limit]
    table = Table(
        "long_waits",
        f"People waiting {days} or more working days today",
        ("Mosaic ID", "Person", "Area", "Waiting since", "Working days waiting", "Status"),
        [
            (
                p.case_number,
                p.person.name,
                p.area.name,
                p.waiting_from.astimezone(LONDON).date(),
                days_waiting(scope.calendar, p.waiting_from, scope.now),
                p.get_status_display(),
            )
            for p in shown
            if p.waiting_from is not None
        ],
        numeric=frozenset({4}),
        empty=f"Nobody has waited {days} working days or more.",
    )
    return table, total


# -- providers -------------------------------------------------------------------------


def responsiveness(scope: Scope) -> tuple[Table, Table]:
    """Provider responsiveness per provider and per area (see the module docstring)."""
    answered = scope.requests().filter(responded_at__isnull=False)
    found = stored_spreads(
        answered,
        "working_time_to_answer",
        {"provider": "provider__name", "area": "package__area__name"},
        (MEDIAN,),
    )
    if found is not None:
        by_provider = {k: v.at.get(MEDIAN) for k, v in found["provider"].items()}
        by_area = {k: v.at.get(MEDIAN) for k, v in found["area"].items()}
    else:  # a row the write path did not store (bench/, a bulk load): worked out as before
        waits_provider: dict[str, list[Decimal]] = defaultdict(list)
        waits_area: dict[str, list[Decimal]] = defaultdict(list)
        for provider, area, sent, responded in answered.values_list(
            "provider__name", "package__area__name", "sent_at", "responded_at"
        ):
            spent = scope.calendar.working_hours_between(sent, responded)
            waits_provider[provider].append(spent)
            waits_area[area].append(spent)
        by_provider = {k: stats.median(v) for k, v in waits_provider.items()}
        by_area = {k: stats.median(v) for k, v in waits_area.items()}
    return (
        _responsiveness(scope, "provider__name", "Provider", by_provider),
        _responsiveness(scope, "package__area__name", "Area", by_area),
    )


def _responsiveness(
    scope: Scope, name: str, label: str, medians: dict[str, Decimal | None]
) -> Table:
    requests = scope.requests()
    answered = Q(responded_at__isnull=False)
    totals = {
        row[name]: row
        for row in requests.values(name)
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=answered),
            in_time=Count("id", filter=answered & Q(responded_at__lte=F("deadline"))),
            yes=Count("id", filter=Q(outcome__in=YES)),
            judged=Count("id", filter=Q(outcome__in=ANSWERED_YES_OR_NO)),
            declines=Count("id", filter=Q(outcome="decline")),
        )
        .order_by()
    }
    handbacks = _handbacks(scope, name)
    rows = []
    for key in sorted(set(totals) | set(handbacks)):
        row = totals.get(key, {})
        rows.append(
            (
                key,
                row.get("sent", 0),
                row.get("answered", 0),
                row.get("in_time", 0),
                hours(medians.get(key)),
                percent(row.get("yes", 0), row.get("judged", 0)),
                row.get("declines", 0),
                handbacks.get(key, 0),
            )
        )
    per = label.lower()
    return Table(
        f"responsiveness_{per}",
        f"Provider responsiveness per {per}",
        (
            label,
            "Requests sent",
            "Answered",
            "Answered in time",
            "Median working hours to answer",
            "Acceptance rate",
            "Declines",
            "Handbacks",
        ),
        rows,
        numeric=frozenset(range(1, 8)),
        empty="No request was sent in this period.",
    )


def _handbacks(scope: Scope, name: str) -> Counter[str]:
    """Handbacks in the range per provider name (the event names the provider's id) or area."""
    events = scope.events("handback")
    found: Counter[str] = Counter()
    if name == "provider__name":
        names = dict(
            Provider.objects.filter(council=scope.council).values_list("pk", "name").order_by()
        )
        for provider, n in (
            events.values_list(KT("details__provider")).annotate(n=Count("id")).order_by()
        ):
            label = names.get(int(provider)) if str(provider).isdigit() else None
            found[label or "Provider not recorded"] += n
    else:
        for area, n in events.values_list("package__area__name").annotate(n=Count("id")).order_by():
            found[area] += n
    return found


def declines_by_reason(scope: Scope) -> Table:
    rows: Counter[str] = Counter()
    for reason, n in (
        scope.requests()
        .filter(outcome="decline")
        .values_list("reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[reason_words(reason)] += n
    return Table(
        "declines",
        "Declines by reason",
        ("Reason", "Declines"),
        sorted(rows.items(), key=lambda item: (-item[1], item[0])),
        numeric=frozenset({1}),
        empty="No provider declined in this period.",
    )


# -- everything ------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    flow: Table
    hours: Table
    award_by_stage: Table
    award_by_area: Table
    waiting: Table
    long_waits: Table
    long_waits_total: int
    responsiveness_provider: Table
    responsiveness_area: Table
    declines: Table

    def tables(self) -> list[Table]:
        return [
            self.flow,
            self.hours,
            self.award_by_stage,
            self.award_by_area,
            self.waiting,
            self.long_waits,
            self.responsiveness_provider,
            self.responsiveness_area,
            self.declines,
        ]


def dashboard(scope: Scope, long_wait_limit: int | None = LONG_WAIT_SHOWN) -> Dashboard:
    by_stage, by_area = referral_to_award(scope)
    per_provider, per_area = responsiveness(scope)
    waits, total = long_waits(scope, long_wait_limit)
    return Dashboard(
        flow=flow(scope),
        hours=hours_sourced(scope),
        award_by_stage=by_stage,
        award_by_area=by_area,
        waiting=waiting_by_rag(scope),
        long_waits=waits,
        long_waits_total=total,
        responsiveness_provider=per_provider,
        responsiveness_area=per_area,
        declines=declines_by_reason(scope),
    )
