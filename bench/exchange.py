"""Benchmark: the day's batch reports (.xlsx) for 2,000 packages in 5 areas, against a floor.

Run: .venv/bin/python bench/exchange.py [--packages N] [--repeats R]   (see bench/README.md)

Django's settings are loaded (the About sheet's signature uses SECRET_KEY), but no
database is touched: the council and the packages are unsaved rows built in memory from a
seeded `random.Random`, so every pass writes the same workbooks. A pass builds one
workbook per area with `exchange.batch_report.batch_report_xlsx` (the worker's path:
rows, urgency on the working calendar, styles, data validation, autofilter, frozen
header, the signed About sheet) and saves it to bytes. The floor writes the same cell
values (title, instructions, header, one row per package, the About sheet), computed
beforehand and untimed, through the same library (openpyxl, write-only) with no styling,
validation, filter, freeze or column widths.
Figures: wall time per pass (median of R after one warm-up) and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from carebroker.councils.models import Council  # noqa: E402
from carebroker.exchange.batch_report import (  # noqa: E402
    HEADERS,
    batch_report_xlsx,
    calendar_of,
    lines_of,
    signature,
)
from carebroker.referrals.models import Person  # noqa: E402
from carebroker.sourcing.models import Package  # noqa: E402

SEED = 20261123
AREAS = ("North", "Mid", "West", "South East", "South West")
DISTRICTS = ("CO1", "CO4", "CM1", "CM2", "SS1", "SS14", "CM20", "RM14", "IG10", "CO15")
SPECIALISMS = ("dementia", "end of life", "learning disability", "mental health", "bariatric")
SUPPORT = ("personal care", "domestic", "sitting", "live-in", "")
ISSUED = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # a Friday batch: interest by Monday 10:00


def market(packages: int) -> tuple[Council, dict[str, list[Package]]]:
    """A made-up council and `packages` unsaved packages spread evenly over the areas."""
    rng = random.Random(SEED)
    council = Council(
        pk=1, name="Eastshire County Council", slug="eastshire", policy_name="essex-lah"
    )
    by_area: dict[str, list[Package]] = {area: [] for area in AREAS}
    for n in range(packages):
        area = AREAS[n % len(AREAS)]
        person = Person(
            name=f"Made Up {n}",
            date_of_birth=date(1940, 1, 1),
            postcode=f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}AB",
        )
        package = Package(
            case_number=f"M{100000 + n}",
            hours_per_week=Decimal(rng.choice(("7", "10.5", "14", "21", "28"))),
            preferred_start=ISSUED.date() + timedelta(days=rng.randint(0, 40)),
            urgent=rng.random() < 0.1,
            support_type=rng.choice(SUPPORT),
            specialisms=rng.sample(SPECIALISMS, rng.randint(0, 2)),
            target_supply_area=rng.random() < 0.2,
            enhanced_rate=rng.random() < 0.1,
        )
        package.person = person
        by_area[area].append(package)
    return council, by_area


def reports(council: Council, by_area: dict[str, list[Package]]) -> int:
    deadline = ISSUED + timedelta(days=2, hours=18)
    return sum(
        len(batch_report_xlsx(council, area, packages, ISSUED, deadline))
        for area, packages in by_area.items()
    )


def cells(council: Council, by_area: dict[str, list[Package]]) -> list[list[list[list[object]]]]:
    """The values of every cell of every workbook (two sheets each), computed once, untimed."""
    calendar = calendar_of(council)
    day = ISSUED.date()
    books = []
    for area, packages in by_area.items():
        lines = lines_of(packages, day, calendar)
        report: list[list[object]] = [
            [f"{council.name}: {area} batch report. Interest by Monday 10:00"],
            ["Put Y under 'Tick to request ISP' ..."],
            list(HEADERS),
        ]
        report += [
            [
                None,
                line.case_number,
                "URGENT" if line.urgent else None,
                line.district,
                line.hours_per_week,
                line.preferred_start,
                line.support_type,
                line.specialisms,
                "TSA" if line.target_supply_area else None,
                "Enhanced" if line.enhanced_rate else None,
            ]
            for line in lines
        ]
        cases = [line.case_number for line in lines]
        about: list[list[object]] = [
            ["About this batch report"],
            ["Council", council.slug],
            ["Area", area],
            ["Batch date", day.isoformat()],
            ["Interest deadline", "10:00 on Monday 23 November 2026"],
            ["Packages", len(cases)],
            ["Signature", signature(council.slug, area, day, cases)],
            ["Please do not change this sheet."],
            ["Mosaic IDs on this batch"],
            *([case] for case in cases),
        ]
        books.append([report, about])
    return books


def floor(books: list[list[list[list[object]]]]) -> int:
    """The same cells through openpyxl (write-only), no styling: what a report cannot avoid."""
    size = 0
    for sheets in books:
        book = Workbook(write_only=True)
        for title, rows in zip(("Batch report", "About"), sheets, strict=True):
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        size += len(out.getvalue())
    return size


def timed(runs: dict[str, Callable[[], int]], repeats: int) -> dict[str, tuple[float, int]]:
    """Median wall time of each run; the runs alternate within each pass, so a machine
    busy for a moment slows both sides alike."""
    sizes = {name: run() for name, run in runs.items()}  # warm-up: policy, holidays, imports
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = clock.perf_counter()
            run()
            times[name].append(clock.perf_counter() - started)
    return {name: (statistics.median(times[name]), sizes[name]) for name in runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()
    council, by_area = market(options.packages)
    books = cells(council, by_area)
    figures = timed(
        {"reports": lambda: reports(council, by_area), "floor": lambda: floor(books)},
        options.repeats,
    )
    (report_s, report_bytes), (floor_s, floor_bytes) = figures["reports"], figures["floor"]
    print(
        f"batch reports: {options.packages} packages in {len(AREAS)} areas, "
        f"median of {options.repeats} passes"
    )
    print(f"  reports      {report_s * 1000:8.1f} ms per pass ({report_bytes / 1024:.0f} KiB)")
    print(f"  floor        {floor_s * 1000:8.1f} ms per pass ({floor_bytes / 1024:.0f} KiB)")
    print(f"  ratio        {report_s / floor_s:8.2f} x the floor")


if __name__ == "__main__":
    main()
