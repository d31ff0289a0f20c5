"""Ticked returns: a provider's batch report sent back, read as expressions of interest
(docs/policies.md §4.2; seed 002: "ticking the packages they are interested in and submitting
the file to SPT by 10am the following day").

Two shapes are read:

- **our batch report, ticked**: the workbook `batch_report.py` made, with Y (or x, ✓, yes,
  1) under "Tick to request ISP". Its About sheet must carry our signature for its council,
  area, batch date and Mosaic IDs; every row's Mosaic ID must be one of those.
- **a plain list**: a CSV or sheet with a "Mosaic ID" column and no tick column; every
  listed case is interest. Each must be a package of the council on a batch report sent to
  this provider.

The provider is the one named (`--provider`, or the uploading user's), never read from the
file: the batch is the same for every Tier 1 provider of the area, so the provider must be
Tier 1 and ranked in that area. Refused, with the row and the problem, and nothing
recorded: a sheet that is not ours (no or a wrong signature), another council's, a
provider not Tier 1 in the area, an unknown Mosaic ID, a case not on that batch, a tick
that is not a tick, a mangled file.

Each ticked case goes to the engine at the time the file arrived (`now`), through
`runner.record_answer`, as the portal's answers do: a tick after the interest deadline is
late interest, which the engine keeps (§4.2); one the engine does not take (the package
was placed meanwhile) is reported, not counted. All in one transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from django.db import transaction

from carebroker.councils.models import Council
from carebroker.engine.inputs import Answer
from carebroker.exchange.batch_report import (
    ABOUT_LABELS,
    ABOUT_SHEET,
    CASES_ROW,
    MOSAIC_ID,
    TICK,
    signature_matches,
)
from carebroker.exchange.cells import CellError, got, read_flag
from carebroker.exchange.sheets import Column, ImportRefused, Sheet, cell_text, read_sheet
from carebroker.providers.models import Provider
from carebroker.sourcing import runner
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package, SourcingRequest

COLUMNS = (
    Column("case", MOSAIC_ID, ("mosaic", "mosaic number", "case number", "case", "mosaic no")),
    Column("tick", TICK, ("tick", "request isp", "interested", "interest"), required=False),
)
MAX_ABOUT_ROWS = 20_000


@dataclass
class InterestReport:
    """What a return did, by Mosaic ID."""

    recorded: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)  # after the deadline, kept (§4.2)
    already: list[str] = field(default_factory=list)  # the same interest sent before
    not_counted: list[tuple[str, str]] = field(default_factory=list)  # (case, the engine's why)

    def lines(self) -> list[str]:
        lines = [f"{len(self.recorded)} interest recorded, {len(self.late)} late interest kept"]
        lines += [f"{case}: interest recorded" for case in self.recorded]
        lines += [
            f"{case}: after the deadline; kept for a further offer round if this one ends "
            "without an award"
            for case in self.late
        ]
        lines += [f"{case}: already recorded" for case in self.already]
        lines += [f"{case}: not counted: {why}" for case, why in self.not_counted]
        return lines


@dataclass(frozen=True)
class _About:
    council: str
    area: str
    day: date
    signature: str
    cases: tuple[str, ...]


class InterestImporter:
    """Read a provider's ticked batch report (or a list of Mosaic IDs) as interest at `now`."""

    def __init__(self, council: Council, provider: Provider, *, now: datetime) -> None:
        if provider.council_id != council.pk:
            raise ImportRefused([f"provider: {provider} is not a provider of {council}"])
        self.council = council
        self.provider = provider
        self.now = now

    def handle(
        self, path: str | Path, *, name: str | None = None, isolated: bool = False
    ) -> InterestReport:
        """`name` is the file's own name in messages (an upload's: never a path);
        `isolated` reads it in a child process with a memory limit (`isolation.py`)."""
        path = Path(path)
        name = name or path.name
        if isolated:
            from carebroker.exchange.isolation import read_isolated  # a web upload only

            sheet, about = read_isolated(path, name)
        else:
            sheet, about = read_return(path, name)
        if about is not None or "tick" in sheet.present:
            cases = self._ticked(sheet, about, name)
        else:
            cases = self._listed(sheet)
        packages = self._packages(cases)
        with transaction.atomic():
            return self._record(packages)

    # -- checks (nothing written) -------------------------------------------------------

    def _ticked(self, sheet: Sheet, about: _About | None, name: str) -> list[tuple[int, str]]:
        if about is None:
            raise ImportRefused(
                [
                    f"{name}: not a batch report of ours (its '{ABOUT_SHEET}' sheet is "
                    "missing); send back the workbook we sent, with your ticks"
                ]
            )
        if about.council != self.council.slug:
            raise ImportRefused(
                [
                    f"{name}: a batch report of another council ({about.council!r}), "
                    f"not {self.council}"
                ]
            )
        if not signature_matches(
            about.council, about.area, about.day, about.cases, about.signature
        ):
            raise ImportRefused(
                [
                    f"{name}, sheet '{ABOUT_SHEET}': the signature does not match (the sheet was "
                    "changed, or it is not ours); send back the workbook we sent, with your ticks"
                ]
            )
        if "tick" not in sheet.present:
            raise ImportRefused([f"{name}: the column '{TICK}' is missing"])
        self._check_tier1(about.area)
        on_batch = set(about.cases)
        known = self._known({row["case"] for row in sheet.rows})
        problems: list[str] = []
        ticked: list[tuple[int, str]] = []
        for row in sheet.rows:
            case = row["case"]
            try:
                tick = read_flag(row["tick"])
            except CellError as error:
                problems.append(
                    f"row {row.number}, {TICK}: {str(error).replace('yes or no', 'Y or blank')}"
                )
                continue
            if not case:
                if tick:
                    problems.append(f"row {row.number}, {MOSAIC_ID}: a tick without a Mosaic ID")
                continue
            # One message whether or not the package exists: a return must not tell a
            # provider which Mosaic IDs the council has (issue 12, low findings).
            if case not in on_batch or case not in known:
                problems.append(
                    f"row {row.number}, {MOSAIC_ID}: {got(case)} is not on the {about.area} "
                    f"batch of {about.day:%d/%m/%Y}"
                )
            elif tick:
                ticked.append((row.number, case))
        if problems:
            raise ImportRefused(problems)
        return ticked

    def _listed(self, sheet: Sheet) -> list[tuple[int, str]]:
        listed = [(row.number, row["case"]) for row in sheet.rows if row["case"]]
        if not listed:
            raise ImportRefused([f"{sheet.name}: no Mosaic IDs listed"])
        known = self._known({case for _, case in listed})
        sent = set(
            SourcingRequest.objects.filter(
                package__council=self.council,
                provider=self.provider,
                round="interest",
                stage__in=self._batch_stages(),
            ).values_list("package__case_number", flat=True)
        )
        problems = []
        for number, case in listed:
            if case not in known or case not in sent:  # the same words: see _ticked
                problems.append(
                    f"row {number}, {MOSAIC_ID}: {got(case)} is not on a batch report sent to "
                    f"{self.provider}"
                )
        if problems:
            raise ImportRefused(problems)
        areas = set(
            Package.objects.filter(
                council=self.council, case_number__in=[c for _, c in listed]
            ).values_list("area__name", flat=True)
        )
        for area in sorted(areas):
            self._check_tier1(area)
        return listed

    def _check_tier1(self, area: str) -> None:
        """The batch goes to Tier 1 providers of the area only (seed 002; docs/policies.md §4.2)."""
        ranked = self.provider.area_ranks.filter(area__name=area).exists()
        if self.provider.tier != 1 or not ranked:
            raise ImportRefused(
                [
                    f"provider: {self.provider} is not a Tier 1 provider in {area}; the {area} "
                    "batch report is sent to its Tier 1 providers only"
                ]
            )

    def _known(self, cases: set[str]) -> set[str]:
        return set(
            Package.objects.filter(council=self.council, case_number__in=cases).values_list(
                "case_number", flat=True
            )
        )

    def _batch_stages(self) -> set[str]:
        return {s.name for s in policy_of(self.council).stages if s.kind == "batch"}

    def _packages(self, cases: list[tuple[int, str]]) -> list[Package]:
        seen = dict.fromkeys(case for _, case in cases)
        by_case = {
            p.case_number: p
            for p in Package.objects.filter(council=self.council, case_number__in=list(seen))
        }
        return [by_case[case] for case in seen]

    # -- recording (one transaction) -------------------------------------------------

    def _record(self, packages: list[Package]) -> InterestReport:
        report = InterestReport()
        provider_id = str(self.provider.pk)
        for package in packages:
            if self._already(package):
                report.already.append(package.case_number)
                continue
            outcome = runner.record_answer(
                package.pk, Answer(at=self.now, provider=provider_id, action="interest")
            )
            if outcome.taken is runner.Taken.KEPT_LATE:
                report.late.append(package.case_number)
            elif outcome.taken is runner.Taken.REFUSED:
                report.not_counted.append((package.case_number, outcome.why))
            else:
                report.recorded.append(package.case_number)
        return report

    def _already(self, package: Package) -> bool:
        latest = (
            SourcingRequest.objects.filter(
                package=package, provider=self.provider, round="interest"
            )
            .order_by("-seq")
            .first()
        )
        return latest is not None and latest.outcome == "interest"


def read_return(path: Path, name: str) -> tuple[Sheet, _About | None]:
    """The return's report sheet and its About sheet (None for a CSV or a plain list)."""
    return read_sheet(path, COLUMNS, other_columns=True, name=name), _read_about(path, name)


def _read_about(path: Path, name: str) -> _About | None:
    """The About sheet of our batch report, or None when the file has none (a CSV, a list)."""
    raw = path.read_bytes()
    if not raw.startswith(b"PK\x03\x04"):
        return None
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # read_sheet has already read it: this is only a second look
        return None
    try:
        if ABOUT_SHEET not in book.sheetnames:
            return None
        rows = []
        for index, values in enumerate(book[ABOUT_SHEET].iter_rows(values_only=True)):
            if index > MAX_ABOUT_ROWS:
                raise ImportRefused([f"{name}, sheet '{ABOUT_SHEET}': too many rows"])
            rows.append([cell_text(v) for v in values])  # as the report sheet reads cells
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(
            [f"{name}, sheet '{ABOUT_SHEET}': not readable ({type(error).__name__})"]
        ) from None
    finally:
        book.close()
    labels = {
        row[0]: row[1] if len(row) > 1 else "" for row in rows[1 : 1 + len(ABOUT_LABELS)] if row
    }
    missing = [label for label in ABOUT_LABELS if not labels.get(label)]
    if missing:
        raise ImportRefused(
            [f"{name}, sheet '{ABOUT_SHEET}': missing {', '.join(missing)}; not our sheet"]
        )
    try:
        day = date.fromisoformat(labels["Batch date"][:10])  # a date cell reads with 00:00
    except ValueError:
        raise ImportRefused(
            [f"{name}, sheet '{ABOUT_SHEET}': Batch date {got(labels['Batch date'])} changed"]
        ) from None
    cases = tuple(row[0] for row in rows[CASES_ROW - 1 :] if row and row[0])
    return _About(labels["Council"], labels["Area"], day, labels["Signature"], cases)
