"""EHM visit returns: a provider's four-weekly Electronic Homecare Monitoring CSV, checked
against its packages and summarised (docs/policies.md §4: planned vs delivered, late, missed)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from carebroker.councils.models import Council
from carebroker.exchange.cells import CellError, got, read_date, read_minutes, read_moment
from carebroker.exchange.models import EhmSubmission
from carebroker.exchange.sheets import Column, ImportRefused, SheetRow, read_sheet
from carebroker.lib.mosaic import mosaic_id_problem
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

PERIOD = timedelta(weeks=4)  # docs/policies.md §4: a CSV every four weeks
LONGEST_VISIT = timedelta(hours=12)
LATE_AFTER = timedelta(minutes=15)
SHORT_BY = timedelta(minutes=5)

COLUMNS = (
    Column(
        "case_number",
        "Mosaic ID",
        ("Case number", "Mosaic number", "Mosaic", "Service user ID", "Client ID", "Person ID"),
    ),
    Column("visit_date", "Visit date", ("Date", "Scheduled date", "Planned date")),
    Column(
        "planned_start",
        "Planned start",
        ("Planned start time", "Scheduled start", "Scheduled start time", "Planned time in"),
    ),
    Column(
        "planned_end",
        "Planned end",
        ("Planned end time", "Scheduled end", "Scheduled end time", "Planned time out"),
        required=False,
    ),
    Column(
        "planned_minutes",
        "Planned duration",
        ("Planned minutes", "Scheduled duration", "Planned duration minutes", "Duration"),
        required=False,
    ),
    Column(
        "actual_start",
        "Actual start",
        ("Actual start time", "Actual time in", "Check in", "Checked in", "Clock in", "Login"),
    ),
    Column(
        "actual_end",
        "Actual end",
        ("Actual end time", "Actual time out", "Check out", "Checked out", "Clock out", "Logout"),
    ),
    Column(
        "care_worker",
        "Care worker",
        ("Care worker reference", "Care worker ID", "Carer", "Carer ID", "Staff ID", "Worker"),
        required=False,
    ),
)
LABELS = {column.key: column.label for column in COLUMNS}


@dataclass(frozen=True)
class Visit:
    """One planned visit of the file, as local wall-clock times (EHM files carry no zone)."""

    row: int
    case_number: str
    planned_start: datetime
    planned_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None


@dataclass(frozen=True)
class VisitCounts:
    """Planned, delivered, late, missed and short visits (of a package, or of the file)."""

    planned: int = 0
    delivered: int = 0
    late: int = 0
    missed: int = 0
    short: int = 0

    def __add__(self, other: VisitCounts) -> VisitCounts:
        return VisitCounts(
            self.planned + other.planned,
            self.delivered + other.delivered,
            self.late + other.late,
            self.missed + other.missed,
            self.short + other.short,
        )


@dataclass(frozen=True)
class EhmSummary:
    """A provider's EHM return summarised; `stored` says what happened to its EhmSubmission."""

    provider: str
    period_start: date
    period_end: date
    totals: VisitCounts
    by_package: dict[str, VisitCounts] = field(default_factory=dict)
    stored: str = "created"  # created, updated (a corrected file for the period), unchanged

    def lines(self) -> list[str]:
        t = self.totals
        return [
            f"{self.provider}: EHM visits {self.period_start:%d/%m/%Y} to "
            f"{self.period_end:%d/%m/%Y} ({self.stored})",
            f"planned {t.planned}, delivered {t.delivered}, late {t.late}, missed {t.missed}, "
            f"short {t.short}",
            *(
                f"  {case}: planned {c.planned}, delivered {c.delivered}, late {c.late}, "
                f"missed {c.missed}, short {c.short}"
                for case, c in sorted(self.by_package.items())
            ),
        ]


class EhmVisitImporter:
    """Check and summarise a provider's four-weekly EHM visit CSV (or .xlsx).

    Columns (headers match ignoring case, spaces and punctuation; other columns
    are ignored):

    - ``Mosaic ID`` (Case number, Service user ID, Client ID): a package of the
      council awarded to this provider.
    - ``Visit date`` (Date, Scheduled date): 2026-01-05, 05/01/2026 or 5 Jan 2026.
    - ``Planned start`` (Scheduled start): a time (08:00, 8.00, 8:00 am) on the
      visit date, or a date and time (2026-01-05 08:00).
    - ``Planned end`` (Scheduled end) or ``Planned duration`` (minutes, or h:mm):
      at least one of the two columns.
    - ``Actual start`` (Check in, Clock in), ``Actual end`` (Check out, Clock out):
      blank actual start means the visit was missed; an actual start needs an
      actual end.
    - ``Care worker`` (Carer ID, Staff ID): optional, not stored.

    An end before its start is the next day (a visit across midnight); no visit
    lasts more than 12 hours. All visits fall within 4 weeks (the first and the last
    visit date less than 28 days apart) and none after the day the file is received.
    A visit is **late** when it starts more than `late_after` (15 minutes) after its
    planned start, **missed** when it has no actual start, **short** when it lasts
    more than `short_by` (5 minutes, fixed here) less than planned.

    `handle(path)` checks the whole file first: any bad row and nothing is stored,
    with an `ImportRefused` naming each row, column and problem. A good file stores
    one `EhmSubmission` for the provider and period (replacing an earlier one for
    the same period); the same file again changes nothing.
    """

    def __init__(
        self,
        council: Council,
        provider: Provider,
        *,
        now: datetime,
        late_after: timedelta = LATE_AFTER,
        short_by: timedelta = SHORT_BY,
    ) -> None:
        if provider.council_id != council.pk:
            raise ImportRefused([f"{provider} is not a provider of {council}"])
        self.council = council
        self.provider = provider
        self.now = now
        self.late_after = late_after
        self.short_by = short_by

    def handle(self, path: str | Path) -> EhmSummary:
        sheet = read_sheet(path, COLUMNS, other_columns=True)
        if not {"planned_end", "planned_minutes"} & sheet.present:
            raise ImportRefused(
                [f"{sheet.name}: missing column 'Planned end' or 'Planned duration'"]
            )
        if not sheet.rows:
            raise ImportRefused([f"{sheet.name}: a header but no visits"])
        visits = self._visits(sheet.rows)
        self._check_period_and_packages(visits)
        summary = self._summary(visits)
        with transaction.atomic():
            return self._store(summary, Path(path))

    def _visits(self, rows: list[SheetRow]) -> list[Visit]:
        problems: list[str] = []
        visits: list[Visit] = []
        first_row: dict[tuple[str, datetime], int] = {}
        for row in rows:
            try:
                visit = _visit(row)
            except CellError as error:
                problems.append(f"row {row.number}, {error}")
                continue
            key = (visit.case_number, visit.planned_start)
            if key in first_row:
                problems.append(
                    f"row {row.number}, Planned start: the visit of {visit.case_number} at "
                    f"{visit.planned_start:%d/%m/%Y %H:%M} is already in the file "
                    f"(row {first_row[key]})"
                )
            first_row.setdefault(key, row.number)
            visits.append(visit)
        if problems:
            raise ImportRefused(problems)
        return visits

    def _check_period_and_packages(self, visits: list[Visit]) -> None:
        problems: list[str] = []
        first = min(visits, key=lambda v: v.planned_start.date())
        start = first.planned_start.date()
        received = timezone.localdate(self.now)
        for visit in visits:
            day = visit.planned_start.date()
            if day - start >= PERIOD:
                problems.append(
                    f"row {visit.row}, Visit date: {day:%d/%m/%Y} is 4 weeks or more after the "
                    f"first visit ({start:%d/%m/%Y}, row {first.row}); a return covers 4 weeks"
                )
            elif day > received:
                problems.append(
                    f"row {visit.row}, Visit date: {day:%d/%m/%Y} is after the day the file "
                    f"was received ({received:%d/%m/%Y})"
                )
        rows_of = Counter(v.case_number for v in visits)
        awarded = set(
            Package.objects.filter(
                council=self.council,
                awarded_provider=self.provider,
                case_number__in=list(rows_of),
            ).values_list("case_number", flat=True)
        )
        reported: set[str] = set()
        for visit in visits:
            if visit.case_number in awarded or visit.case_number in reported:
                continue
            reported.add(visit.case_number)
            others = rows_of[visit.case_number] - 1
            # One wording for "no such package" and "someone else's": a provider learns nothing
            # of other providers' awards (docs/architecture.md §8).
            problems.append(
                f"row {visit.row}, Mosaic ID: {got(visit.case_number)} is not a package awarded "
                f"to {self.provider} by {self.council}"
                + (f" (nor on its {others} other rows)" if others else "")
            )
        if problems:
            raise ImportRefused(problems)

    def _summary(self, visits: list[Visit]) -> EhmSummary:
        by_package: dict[str, VisitCounts] = {}
        for visit in visits:
            counts = self._counts(visit)
            by_package[visit.case_number] = (
                by_package.get(visit.case_number, VisitCounts()) + counts
            )
        days = [v.planned_start.date() for v in visits]
        return EhmSummary(
            provider=self.provider.name,
            period_start=min(days),
            period_end=max(days),
            totals=sum(by_package.values(), VisitCounts()),
            by_package=by_package,
        )

    def _counts(self, visit: Visit) -> VisitCounts:
        if visit.actual_start is None or visit.actual_end is None:
            return VisitCounts(planned=1, missed=1)
        late = visit.actual_start - visit.planned_start > self.late_after
        planned = visit.planned_end - visit.planned_start
        delivered = visit.actual_end - visit.actual_start
        short = planned - delivered > self.short_by
        return VisitCounts(planned=1, delivered=1, late=int(late), short=int(short))

    def _store(self, summary: EhmSummary, path: Path) -> EhmSummary:
        t = summary.totals
        values = {
            "council": self.council,
            "file_name": path.name[-255:],
            "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "late_after_minutes": int(self.late_after.total_seconds() // 60),
            "short_by_minutes": int(self.short_by.total_seconds() // 60),
            "planned_visits": t.planned,
            "delivered_visits": t.delivered,
            "late_visits": t.late,
            "missed_visits": t.missed,
            "short_visits": t.short,
            "by_package": {case: asdict(c) for case, c in sorted(summary.by_package.items())},
        }
        stored = (
            EhmSubmission.objects.select_for_update()
            .filter(
                provider=self.provider,
                period_start=summary.period_start,
                period_end=summary.period_end,
            )
            .first()
        )
        if stored is None:
            EhmSubmission.objects.create(
                provider=self.provider,
                period_start=summary.period_start,
                period_end=summary.period_end,
                received_at=self.now,
                **values,
            )
            outcome = "created"
        elif any(
            getattr(stored, name) != value for name, value in values.items() if name != "file_name"
        ):  # the same content under another file name is the same return
            for name, value in values.items():
                setattr(stored, name, value)
            stored.received_at = self.now
            stored.save()
            outcome = "updated"
        else:
            outcome = "unchanged"
        return EhmSummary(
            summary.provider,
            summary.period_start,
            summary.period_end,
            summary.totals,
            summary.by_package,
            outcome,
        )


def _visit(row: SheetRow) -> Visit:
    """One row read as a visit; CellError names the column."""
    case_number = row["case_number"]
    if not case_number:
        raise CellError("Mosaic ID: is required")
    if problem := mosaic_id_problem(case_number):
        raise CellError(f"Mosaic ID: {problem}")
    day = _read(row, "visit_date", read_date)
    planned_start = _at(row, "planned_start", day)
    if row["planned_end"]:
        planned_end = _after(planned_start, _at(row, "planned_end", day), "planned_end")
        if planned_end == planned_start:
            raise CellError("Planned end: is the planned start (a visit of no length)")
    elif row["planned_minutes"]:
        minutes = _read(row, "planned_minutes", read_minutes)
        if not 0 < minutes <= LONGEST_VISIT.total_seconds() // 60:
            raise CellError(f"Planned duration: must be from 1 to 720 minutes, got {minutes}")
        planned_end = planned_start + timedelta(minutes=minutes)
    else:
        raise CellError("Planned end: is required (or a Planned duration)")
    actual_start = actual_end = None
    if row["actual_start"]:
        actual_start = _at(row, "actual_start", day)
        if not row["actual_end"]:
            raise CellError("Actual end: is required when there is an actual start")
        actual_end = _after(actual_start, _at(row, "actual_end", day), "actual_end")
    elif row["actual_end"]:
        raise CellError("Actual start: is required when there is an actual end")
    return Visit(row.number, case_number, planned_start, planned_end, actual_start, actual_end)


def _read[T](row: SheetRow, key: str, reader: Callable[[str], T]) -> T:
    if not row[key]:
        raise CellError(f"{LABELS[key]}: is required")
    try:
        return reader(row[key])
    except CellError as error:
        raise CellError(f"{LABELS[key]}: {error}") from None


def _at(row: SheetRow, key: str, day: date) -> datetime:
    on, clock = _read(row, key, lambda text: read_moment(text, day))
    return datetime.combine(on, clock)


def _after(start: datetime, end: datetime, key: str) -> datetime:
    """The end of a visit: before its start means the next day (a visit across midnight)."""
    if end < start and end.date() == start.date():
        end += timedelta(days=1)
    if not timedelta(0) <= end - start <= LONGEST_VISIT:
        raise CellError(
            f"{LABELS[key]}: {end:%d/%m/%Y %H:%M} makes a visit of {end - start} "
            f"from {start:%d/%m/%Y %H:%M}; a visit lasts up to 12 hours"
        )
    return end
