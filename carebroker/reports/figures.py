"""The dashboard's figures for one council, a date range and optionally one area.

Each figure is a `Table` (reports/tables.py) computed with grouped queries: the number of
queries is the same for ten packages or a hundred thousand. Where a figure needs working
time (referral to award, time to answer), the write path stored it with the award and the
answer (sourcing/working_time.py): the range's stored values are read and the values at the
nearest ranks picked from them (`stored_spreads`); a range holding a row stored around the
write path (a bulk load) is worked out from each row's times by the council's
`WorkingCalendar` as before.

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
- **Waiting list by RAG**: at the end of each week (now, for this week), the packages that had
  started waiting by then (`waiting_from`) and were still waiting: live now, or awarded after
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

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Manager,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT

from carebroker.councils.models import Area, Council
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
    """Aggregates over `rows` (already cut to the range on `field`) for each week: each value
    an aggregate given as a (function, column, extra filter) triple. The rows are grouped by
    their week's number, a CASE of plain comparisons of `field` with the weeks' ends, so the
    database needs no time-zone functions; one aggregate per value, not one per value and
    week (building 8 to 24 filtered aggregates per query was most of a figure's time)."""
    if not weeks or not values:
        return {name: [0] * len(weeks) for name in values}
    number = Case(
        *(When(**{f"{field}__lt": end}, then=Value(i)) for i, (_, _, end) in enumerate(weeks)),
        output_field=IntegerField(),
    )
    aggregates = {}
    for name, (function, column, extra) in values.items():
        options = {"distinct": True} if function is Count else {}
        aggregates[name] = function(column, filter=extra or None, **options)
    found: dict[str, list[Any]] = {name: [0] * len(weeks) for name in values}
    grouped = rows.annotate(week_number=number).values("week_number").order_by()
    for row in grouped.annotate(**aggregates):
        i = row["week_number"]
        if i is None:  # past the last week's end: not in the range
            continue
        for name in values:
            found[name][i] = row[name] or 0
    return found


# -- flow per week ---------------------------------------------------------------------


def flow(scope: Scope, awards: dict[str, list[Any]] | None = None) -> Table:
    """Referrals in, placed, unfilled and handed back per week (`awards`: `_awards` of the
    scope, when the caller has them)."""
    f = scope.filters
    weeks = _week_bounds(f)
    referrals = Referral.objects.filter(
        council=scope.council, received_at__gte=f.since, received_at__lt=f.until
    )
    if f.area is not None:
        referrals = referrals.filter(packages__area=f.area)
    referred = _per_week(referrals, "received_at", weeks, n=(Count, "id", Q()))["n"]
    placed = (awards or _awards(scope))["n"]
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


def _awards(scope: Scope) -> dict[str, list[Any]]:
    """Per week of award, the packages placed (`n`) and their hours a week (`h`): one query
    for the flow's placed column and the hours sourced."""
    return _per_week(
        _awarded(scope),
        "awarded_at",
        _week_bounds(scope.filters),
        n=(Count, "id", Q()),
        h=(Sum, "hours_per_week", Q()),
    )


def hours_sourced(scope: Scope, awards: dict[str, list[Any]] | None = None) -> Table:
    """Hours of care a week placed, per week of award."""
    weeks = _week_bounds(scope.filters)
    found = (awards or _awards(scope))["h"]
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


# -- nearest ranks of the stored working times -------------------------------------------

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
    rank of each share, in hours: one query reading the range's stored values and the
    groups' keys, sorted here. None when a row of `rows` has no stored value (the caller
    then works the hours out as before).

    The rows read are the range's awards or answers (about 4,500 in the default eight weeks
    at 80 referrals a day), never the whole table. Sorting them in Python is cheaper than
    the window functions this replaced: SQLite sorted the range once per partition (three
    sorts, 147 ms of the 185 ms the figure took at 30,000 packages, bench/README.md)."""
    keys = list(dict.fromkeys(by for by in partitions.values() if by))
    groups: dict[str, dict[Any, list[timedelta]]] = {name: defaultdict(list) for name in partitions}
    for row in rows.values_list(*keys, column).order_by():
        value = row[-1]
        if value is None:
            return None
        for name, by in partitions.items():
            groups[name][row[keys.index(by)] if by else ""].append(value)
    found: dict[str, dict[Any, Spread]] = {name: {} for name in partitions}
    for name, grouped in groups.items():
        for key, values in grouped.items():
            values.sort()
            n = len(values)
            found[name][key] = Spread(
                n, {(a, b): hours_of(values[(a * n + b - 1) // b - 1]) for a, b in shares}
            )
    return found


# -- the waiting list -----------------------------------------------------------------


def waiting_by_rag(scope: Scope) -> Table:
    """Packages waiting at the end of each week, by RAG: two narrow queries, counted here. A
    package waits from its stored start (`waiting_from`, sourcing/waiting_from.py): its
    acceptance, a self-funder's grace end (never counted during the grace) or its last
    handback."""
    rule, calendar = scope.rule, scope.calendar
    # Each week's moment and the acceptances before which a wait is amber and red by then.
    marks = []
    for week in scope.filters.weeks():
        at = week_end(week, scope.now)
        marks.append(
            (
                at,
                accepted_before(calendar, at, rule.amber_from_days),
                accepted_before(calendar, at, rule.red_from_days),
            )
        )
    # Only packages waiting at some week's end can count: waiting by the last moment, and
    # live now, or awarded after the first moment (most awarded packages are long past).
    # Two queries, each led by its own index (package_council_status,
    # package_council_awarded). Each counts packages by where the start of their wait (and award)
    # falls among the moments that matter, a CASE of plain comparisons: a few dozen groups,
    # counted into weeks here. (24 filtered aggregates, or each package's two times read
    # and compared here, cost several times more: bench/README.md.)
    counts = [[0, 0, 0] for _ in marks]  # green, amber, red at each week's end
    if marks:
        # start of the wait j: in [cuts[j - 1], cuts[j]); award k: in (ends[k - 1], ends[k]]
        cuts = sorted({moment for mark in marks for moment in mark})
        ends = sorted({at for at, _, _ in marks})
        waiting = scope.packages().filter(waiting_from__lt=ends[-1])
        j = _bucket("waiting_from", "lt", cuts)
        live = waiting.filter(status__in=LIVE).annotate(j=j).values("j")
        later = (
            waiting.filter(awarded_at__gt=ends[0])
            .exclude(status__in=LIVE)
            .annotate(j=j, k=_bucket("awarded_at", "lte", ends))
            .values("j", "k")
        )
        groups = [(row["j"], None, row["n"]) for row in live.annotate(n=Count("id")).order_by()]
        groups += [
            (row["j"], row["k"], row["n"]) for row in later.annotate(n=Count("id")).order_by()
        ]
        for i, (at, amber, red) in enumerate(marks):
            waits_from, placed_by = cuts.index(at), ends.index(at)
            amber_from, red_from = cuts.index(amber), cuts.index(red)
            for started_in, awarded_in, n in groups:
                if started_in > waits_from or (awarded_in is not None and awarded_in <= placed_by):
                    continue  # not waiting yet, or placed by then
                rag = 0 if started_in > amber_from else 1 if started_in > red_from else 2
                counts[i][rag] += n
    rows = [
        (week, green, amber, red)
        for week, (green, amber, red) in zip(scope.filters.weeks(), counts, strict=True)
    ]
    return Table(
        "waiting",
        "Waiting list by RAG at the end of each week",
        ("Week beginning", "Green", "Amber", "Red"),
        rows,
        numeric=frozenset({1, 2, 3}),
    )


def _bucket(field: str, lookup: str, bounds: list[datetime]) -> Case:
    """The index of the first bound `field` is `lookup` (lt or lte), len(bounds) past all."""
    return Case(
        *(When(**{f"{field}__{lookup}": bound}, then=Value(i)) for i, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def long_waits(scope: Scope, limit: int | None = LONG_WAIT_SHOWN) -> tuple[Table, int]:
    """Today's people waiting 10 or more working days (the red threshold), longest first;
    and how many there are in all."""
    days = scope.rule.red_from_days
    before = accepted_before(scope.calendar, scope.now, days)
    rows = scope.packages().filter(status__in=LIVE, waiting_from__lt=before)
    total = rows.count()
    # Narrow rows, not model instances: building 200 packages with their person, area and
    # referral (and their JSON) was most of this figure's time (bench/README.md).
    shown = rows.order_by("waiting_from", "case_number").values_list(
        "case_number", "person__name", "area__name", "waiting_from", "status"
    )
    if limit is not None:
        shown = shown[:limit]
    status_words = {code: str(name) for code, name in Package._meta.get_field("status").flatchoices}
    table = Table(
        "long_waits",
        f"People waiting {days} or more working days today",
        ("Mosaic ID", "Person", "Area", "Waiting since", "Working days waiting", "Status"),
        [
            (
                case_number,
                person,
                area,
                since.astimezone(LONDON).date(),
                days_waiting(scope.calendar, since, scope.now),
                status_words.get(status, status),
            )
            for case_number, person, area, since, status in shown
            if since is not None
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
    # One grouped query for the requests and one for the handbacks, by provider and area
    # together; each table adds the pairs up (counts of disjoint groups add).
    answered_q = Q(responded_at__isnull=False)
    # Grouped by the provider's and the area's ids, named here: the database groups the
    # range's requests without joining them to the providers and areas to sort by name.
    pairs = list(
        scope.requests()
        .values_list("provider_id", "package__area_id")
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=answered_q),
            in_time=Count("id", filter=answered_q & Q(responded_at__lte=F("deadline"))),
            yes=Count("id", filter=Q(outcome__in=YES)),
            judged=Count("id", filter=Q(outcome__in=ANSWERED_YES_OR_NO)),
            declines=Count("id", filter=Q(outcome="decline")),
        )
        .order_by()
    )
    provider_names = _provider_names(scope, {row[0] for row in pairs})
    area_names = dict(
        Area.objects.filter(pk__in={row[1] for row in pairs}).values_list("pk", "name")
    )
    totals: tuple[dict[str, Counter[str]], dict[str, Counter[str]]] = ({}, {})
    for provider, area, *numbers in pairs:
        keys = (provider_names[provider], area_names[area])
        for side, key in zip(totals, keys, strict=True):
            side.setdefault(key, Counter()).update(dict(zip(_COUNTED, numbers, strict=True)))
    handbacks = _handbacks(scope, provider_names)
    return (
        _responsiveness("Provider", by_provider, totals[0], handbacks[0]),
        _responsiveness("Area", by_area, totals[1], handbacks[1]),
    )


_COUNTED = ("sent", "answered", "in_time", "yes", "judged", "declines")


def _responsiveness(
    label: str,
    medians: dict[str, Decimal | None],
    totals: dict[str, Counter[str]],
    handbacks: Counter[str],
) -> Table:
    rows = []
    for key in sorted(set(totals) | set(handbacks)):
        row = totals.get(key, Counter())
        rows.append(
            (
                key,
                row["sent"],
                row["answered"],
                row["in_time"],
                hours(medians.get(key)),
                percent(row["yes"], row["judged"]),
                row["declines"],
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


def _provider_names(scope: Scope, ids: set[int]) -> dict[int, str]:
    """The names of the council's providers and of the providers `ids`, by id."""
    rows = Provider.objects.filter(Q(council=scope.council) | Q(pk__in=ids))
    return dict(rows.values_list("pk", "name").order_by())


def _handbacks(scope: Scope, names: dict[int, str]) -> tuple[Counter[str], Counter[str]]:
    """Handbacks in the range per provider name (the event names the provider's id; `names`
    has at least the council's providers) and per area."""
    per_provider: Counter[str] = Counter()
    per_area: Counter[str] = Counter()
    for provider, area, n in (
        scope.events("handback")
        .values_list(KT("details__provider"), "package__area__name")
        .annotate(n=Count("id"))
        .order_by()
    ):
        label = names.get(int(provider)) if str(provider).isdigit() else None
        per_provider[label or "Provider not recorded"] += n
        per_area[area] += n
    return per_provider, per_area


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
    awards = _awards(scope)
    return Dashboard(
        flow=flow(scope, awards),
        hours=hours_sourced(scope, awards),
        award_by_stage=by_stage,
        award_by_area=by_area,
        waiting=waiting_by_rag(scope),
        long_waits=waits,
        long_waits_total=total,
        responsiveness_provider=per_provider,
        responsiveness_area=per_area,
        declines=declines_by_reason(scope),
    )
