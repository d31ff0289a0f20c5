"""EHM visit returns (docs/policies.md §4): checked against the provider's packages, summarised as
planned vs delivered, late, missed and short visits; all or nothing."""

from datetime import UTC, date, datetime, time, timedelta

import openpyxl
import pytest

from carebroker.exchange.ehm import EhmVisitImporter, VisitCounts
from carebroker.exchange.models import EhmSubmission
from carebroker.exchange.sheets import ImportRefused
from tests.factories import make_council, make_package, make_provider

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
HEADER = "Mosaic ID,Visit date,Planned start,Planned end,Actual start,Actual end,Care worker"
GOOD = (
    f"{HEADER}\n"
    "M2001,05/01/2026,08:00,08:30,08:05,08:31,CW01\n"  # on time, full
    "M2001,05/01/2026,18:00,18:30,18:16,18:46,CW01\n"  # 16 min late
    "M2001,06/01/2026,08:00,08:30,,,CW02\n"  # missed
    "M2002,06/01/2026,12:00,13:00,12:10,12:40,CW03\n"  # 20 min short, 10 late (not late)
    "M2002,01/02/2026,23:30,00:15,23:30,00:20,CW03\n"  # across midnight
)


@pytest.fixture
def alder(essex):
    provider = make_provider(essex, "Alder Homecare")
    for case in ("M2001", "M2002"):
        make_package(essex, case, awarded_provider=provider, status="awarded")
    return provider


def _importer(essex, alder, **options) -> EhmVisitImporter:
    return EhmVisitImporter(essex, alder, now=NOW, **options)


def _refused(importer: EhmVisitImporter, path) -> str:
    before = EhmSubmission.objects.count()
    with pytest.raises(ImportRefused) as caught:
        importer.handle(path)
    assert EhmSubmission.objects.count() == before, "a refused file stored a summary"
    return str(caught.value)


def test_summary_counts_planned_delivered_late_missed_and_short_visits(essex, alder, write):
    """Five planned visits: four delivered, one missed, one more than 15 minutes late, one more
    than 5 minutes short; a visit across midnight is 45 then 50 minutes, neither late nor short;
    the summary is stored once for the provider and period."""
    summary = _importer(essex, alder).handle(write(GOOD))

    assert summary.totals == VisitCounts(planned=5, delivered=4, late=1, missed=1, short=1)
    assert summary.by_package == {
        "M2001": VisitCounts(planned=3, delivered=2, late=1, missed=1, short=0),
        "M2002": VisitCounts(planned=2, delivered=2, late=0, missed=0, short=1),
    }
    assert (summary.period_start, summary.period_end) == (date(2026, 1, 5), date(2026, 2, 1))
    stored = EhmSubmission.objects.get(provider=alder)
    assert (stored.planned_visits, stored.delivered_visits, stored.late_visits) == (5, 4, 1)
    assert (stored.missed_visits, stored.short_visits, stored.late_after_minutes) == (1, 1, 15)
    assert stored.by_package["M2002"]["short"] == 1 and stored.received_at == NOW
    assert summary.stored == "created"


def test_late_tolerance_is_a_parameter(essex, alder, write):
    """With 20 minutes' tolerance the visit 16 minutes late is on time; with 5, the one 10
    minutes late is late too."""
    path = write(GOOD)
    assert _importer(essex, alder, late_after=timedelta(minutes=20)).handle(path).totals.late == 0
    assert _importer(essex, alder, late_after=timedelta(minutes=5)).handle(path).totals.late == 2


def test_reimporting_the_same_ehm_file_changes_nothing(essex, alder, write):
    """The same file again reports 'unchanged' and keeps the one stored summary as it was."""
    path = write(GOOD)
    _importer(essex, alder).handle(path)
    later = EhmVisitImporter(essex, alder, now=NOW + timedelta(days=1))

    assert later.handle(path).stored == "unchanged"
    assert EhmSubmission.objects.get().received_at == NOW


def test_a_corrected_file_for_the_same_period_replaces_the_summary(essex, alder, write):
    """A resubmission for the same period (the missed visit now delivered) updates the summary."""
    _importer(essex, alder).handle(write(GOOD))
    corrected = GOOD.replace(
        "M2001,06/01/2026,08:00,08:30,,,", "M2001,06/01/2026,08:00,08:30,08:00,08:30,"
    )

    summary = _importer(essex, alder).handle(write(corrected, "corrected.csv"))

    assert summary.stored == "updated" and summary.totals.missed == 0
    assert EhmSubmission.objects.get().missed_visits == 0


def test_packages_not_awarded_to_the_provider_are_refused_in_one_wording(essex, alder, write):
    """An unknown Mosaic ID, another provider's package and a package still being sourced all
    refuse the file naming the row and the column, in one wording (a provider learns nothing of
    another's awards); nothing is stored."""
    rival = make_provider(essex, "Birch Lane Care")
    make_package(essex, "M3001", awarded_provider=rival, status="awarded")
    make_package(essex, "M4001")
    path = write(
        f"{GOOD}"
        "M3001,07/01/2026,09:00,09:30,09:00,09:30,CW9\n"
        "M9999,07/01/2026,09:00,09:30,09:00,09:30,CW9\n"
        "M4001,07/01/2026,09:00,09:30,09:00,09:30,CW9\n"
        "M9999,08/01/2026,09:00,09:30,09:00,09:30,CW9\n"
    )
    message = _refused(_importer(essex, alder), path)
    for row, case in ((7, "M3001"), (8, "M9999"), (9, "M4001")):
        assert f"row {row}, Mosaic ID: '{case}' is not a package awarded to Alder Homecare" in (
            message
        )
    assert "(nor on its 1 other rows)" in message
    assert "Birch" not in message


def test_a_file_spanning_more_than_four_weeks_is_refused(essex, alder, write):
    """docs/policies.md §4: a return covers four weeks; a visit 28 days after the first is refused
    with its row."""
    path = write(f"{GOOD}M2001,02/02/2026,08:00,08:30,08:00,08:30,CW1\n")
    message = _refused(_importer(essex, alder), path)
    assert "row 7, Visit date: 02/02/2026 is 4 weeks or more after the first visit" in message
    assert "(05/01/2026, row 2)" in message


def test_visits_after_the_day_of_receipt_are_refused(essex, alder, write):
    """A visit dated after the file was received cannot have happened: refused."""
    path = write(f"{HEADER}\nM2001,11/02/2026,08:00,08:30,,,CW1\n")
    assert "row 2, Visit date: 11/02/2026 is after the day the file was received" in _refused(
        _importer(essex, alder), path
    )


def test_bad_dates_times_and_half_recorded_visits_name_row_and_column(essex, alder, write):
    """Each unreadable cell or impossible visit is listed with its row and column."""
    path = write(
        f"{HEADER}\n"
        "M2001,31/02/2026,08:00,08:30,,,\n"
        "M2001,05/01/2026,25:00,08:30,,,\n"
        "M2001,05/01/2026,08:00,08:30,08:05,,\n"
        "M2001,05/01/2026,09:00,09:30,,09:31,\n"
        "M2001,05/01/2026,10:00,23:30,,,\n"
        ",05/01/2026,11:00,11:30,,,\n"
        "M2001,05/01/2026,12:00,12:00,,,\n"
    )
    message = _refused(_importer(essex, alder), path)
    for expected in (
        "row 2, Visit date: is not a day of the calendar, got '31/02/2026'",
        "row 3, Planned start: is not a time of day, got '25:00'",
        "row 4, Actual end: is required when there is an actual start",
        "row 5, Actual start: is required when there is an actual end",
        "row 6, Planned end: 05/01/2026 23:30 makes a visit of 13:30:00",
        "row 7, Mosaic ID: is required",
        "row 8, Planned end: is the planned start",
    ):
        assert expected in message


def test_the_same_visit_twice_is_refused(essex, alder, write):
    """Two rows for one package at one planned time would count a visit twice: refused."""
    path = write(f"{GOOD}M2001,05/01/2026,08:00,08:30,08:00,08:30,CW1\n")
    assert "row 7, Planned start: the visit of M2001 at 05/01/2026 08:00 is already in the " in (
        _refused(_importer(essex, alder), path)
    )


def test_planned_duration_may_replace_planned_end(essex, alder, write):
    """A file with 'Planned duration' (minutes) and date-time cells instead of 'Planned end' is
    read the same way; without either column it is refused."""
    path = write(
        "Case number,Date,Scheduled start,Planned duration,Check in,Check out\n"
        "M2001,2026-01-05,2026-01-05 08:00,30,2026-01-05 08:20,2026-01-05 08:40\n"
    )
    summary = _importer(essex, alder).handle(path)
    assert summary.totals == VisitCounts(planned=1, delivered=1, late=1, missed=0, short=1)
    neither = write(
        "Mosaic ID,Visit date,Planned start,Actual start,Actual end\nM2001,05/01/2026,08:00,,\n",
        "neither.csv",
    )
    assert "missing column 'Planned end' or 'Planned duration'" in _refused(
        _importer(essex, alder), neither
    )


def test_a_provider_of_another_council_is_refused(essex, alder):
    """The importer is for one council's provider: another council's provider is refused."""
    other = make_council("kent-oppd")
    with pytest.raises(ImportRefused, match="is not a provider of"):
        EhmVisitImporter(other, alder, now=NOW)


def test_an_ehm_workbook_with_date_and_time_cells_is_read_like_the_csv(essex, alder, tmp_path):
    """Real date, time and date-time cells (as an EHM system's Excel export holds them) give
    the same summary as text."""
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    day = date(2026, 1, 5)
    book.active.append(["M2001", day, time(8), time(8, 30), time(8, 20), time(8, 50), "CW1"])
    book.active.append(
        ["M2002", day, time(9), time(9, 30), datetime(2026, 1, 5, 9, 0), time(9, 10), "CW1"]
    )
    book.active.append(["M2002", day, time(10), time(10, 30), None, None, None])
    path = tmp_path / "ehm.xlsx"
    book.save(path)

    summary = _importer(essex, alder).handle(path)

    assert summary.totals == VisitCounts(planned=3, delivered=2, late=1, missed=1, short=1)
