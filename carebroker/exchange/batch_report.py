"""The daily batch report as an .xlsx workbook (docs/policies.md §4.2; seeds 000, 001, 002).

One workbook per area (an Essex quadrant) per batch, the same for every Tier 1 provider of
the area: every package of that batch still being sourced, urgent ones flagged, the TSA and
enhanced-rate columns, the postcode district (never the full postcode), hours, support type,
specialism, preferred start, and a "Tick to request ISP" column. Only provider-view facts:
no names. The first sheet is the report (autofilter, frozen header, the interest deadline
in the title row); the "About" sheet names the council, the area and the batch date, lists
the Mosaic IDs on it and carries a signature (an HMAC of those with SECRET_KEY), so a sheet
a provider sends back can be recognised as ours and its rows checked (`interest.py`).

`batch_report_xlsx(council, area, packages, now)` makes one workbook (the worker attaches it
to the batch email); `batch_reports(council, day)` makes every area's workbook of the batch
issued on `day` (`carebroker batch-report`).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.crypto import constant_time_compare, salted_hmac
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carebroker.councils.models import Council
from carebroker.engine.market import Market
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.spreadsheet import cell as safe_cell
from carebroker.exchange.spreadsheet import row as safe_row
from carebroker.lib.london import LONDON, london_time, long_date
from carebroker.lib.postcodes import PostcodeError, parse_postcode
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest
from carebroker.sourcing.urgency import package_is_urgent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SHEET = "Batch report"
ABOUT_SHEET = "About"
TICK = "Tick to request ISP"
MOSAIC_ID = "Mosaic ID"
HEADERS = (
    TICK,
    MOSAIC_ID,
    "Urgent",
    "Postcode district",
    "Hours per week",
    "Preferred start",
    "Support type",
    "Specialism",
    "TSA",
    "Enhanced rate",
)
WIDTHS = (12, 12, 9, 11, 10, 14, 22, 28, 7, 10)
HEADER_ROW = 3  # a title row and an instruction row above it
# The About sheet: label cells in column A, values in column B; Mosaic IDs from CASES_ROW.
ABOUT_LABELS = ("Council", "Area", "Batch date", "Interest deadline", "Packages", "Signature")
CASES_ROW = 10
_SALT = "carebroker.exchange.batch_report"

_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="1D70B8")  # GOV.UK blue
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_URGENT_FILL = PatternFill("solid", fgColor="F6D7D2")
_URGENT_FONT = Font(bold=True, color="942514")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class BatchLine:
    """One package as the report shows it: provider-view facts only."""

    case_number: str
    urgent: bool
    district: str
    hours_per_week: float
    preferred_start: date
    support_type: str
    specialisms: str
    target_supply_area: bool
    enhanced_rate: bool


@dataclass(frozen=True)
class BatchWorkbook:
    """A workbook made for one area's batch, with the name the seeds' convention gives it."""

    area: str
    filename: str
    content: bytes
    cases: tuple[str, ...]


def signature(council_slug: str, area: str, day: date, cases: Sequence[str]) -> str:
    """The HMAC (SECRET_KEY) of a batch's identity and its Mosaic IDs, in sheet order."""
    message = "\n".join([council_slug, area, day.isoformat(), *cases])
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


def signature_matches(
    council_slug: str, area: str, day: date, cases: Sequence[str], text: str
) -> bool:
    return constant_time_compare(signature(council_slug, area, day, cases), text)


def report_filename(day: date, area: str) -> str:
    """`YYYY MM DD <area> batch report.xlsx`, the seeds' naming (seed 004 step 3)."""
    safe = "".join(c for c in area if c.isalnum() or c in " -&").strip() or "area"
    return f"{day:%Y %m %d} {safe} batch report.xlsx"


def district_of(postcode: str) -> str:
    """The outward code ("CO4") of a postcode; never more of it (provider view)."""
    try:
        return parse_postcode(postcode).district
    except PostcodeError:
        return postcode.strip().split(" ")[0].upper()[:4] if postcode.strip() else ""


def calendar_of(council: Council) -> WorkingCalendar:
    return Market.of(policy_of(council), ()).calendar


def lines_of(
    packages: Iterable[Package], policy: Policy, calendar: WorkingCalendar
) -> list[BatchLine]:
    """The report's rows: urgent first, then by preferred start and Mosaic ID."""
    lines = [
        BatchLine(
            case_number=package.case_number,
            urgent=package_is_urgent(package, policy, calendar),
            district=district_of(package.person.postcode or ""),
            hours_per_week=float(package.hours_per_week),
            preferred_start=package.preferred_start,
            support_type=package.support_type or "",
            specialisms="; ".join(str(s) for s in package.specialisms or ()),
            target_supply_area=package.target_supply_area,
            enhanced_rate=package.enhanced_rate,
        )
        for package in packages
    ]
    return sorted(lines, key=lambda line: (not line.urgent, line.preferred_start, line.case_number))


def interest_deadline(council: Council, issued: datetime) -> datetime:
    """The batch stage's interest deadline for a batch issued at `issued` (§4.2)."""
    policy = policy_of(council)
    stage = next((s for s in policy.stages if s.kind == "batch"), None)
    if stage is None or stage.interest_deadline is None:
        raise ValueError(f"{council}: the policy {policy.name} has no batch stage")
    return calendar_of(council).deadline(issued, stage.interest_deadline)


def batch_report_xlsx(
    council: Council,
    area: str,
    packages: Iterable[Package],
    now: datetime,
    deadline: datetime | None = None,
) -> bytes:
    """The batch report workbook of `area` for the batch issued at `now` (see the module)."""
    return _build(council, area, packages, now, deadline)[0]


def _build(
    council: Council,
    area: str,
    packages: Iterable[Package],
    now: datetime,
    deadline: datetime | None,
) -> tuple[bytes, tuple[str, ...]]:
    day = now.astimezone(LONDON).date()
    lines = lines_of(packages, policy_of(council), calendar_of(council))
    deadline = deadline or interest_deadline(council, now)
    return _workbook(council, area, day, deadline, lines), tuple(li.case_number for li in lines)


def _workbook(
    council: Council, area: str, day: date, deadline: datetime, lines: Sequence[BatchLine]
) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(REPORT_SHEET)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    last = HEADER_ROW + max(len(lines), 1)
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"  # the header and the two ID columns stay put
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{last}"
    ticks = DataValidation(
        type="list",
        formula1='"Y"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Tick to request ISP",
        error="Type Y to request the ISP for this package, or leave it blank.",
    )
    ticks.add(f"A{HEADER_ROW + 1}:A{last}")
    sheet.data_validations.append(ticks)

    def cell(
        value: object, font: Font | None = None, fill: PatternFill | None = None
    ) -> WriteOnlyCell:
        written = safe_cell(sheet, value)
        if font is not None:
            written.font = font
        if fill is not None:
            written.fill = fill
        return written

    title = (
        f"{council.name}: {area} batch report, {long_date(day)}. "
        f"Interest by {london_time(deadline)}"
    )
    sheet.append([cell(title, _TITLE)])
    sheet.append(
        [  # a fixed text of ours
            f"Put Y under '{TICK}' for each package you would like the ISP for and send this "
            "file back by the deadline. No answer means no capacity. Urgent: a preferred "
            f"start within {_urgent_days(council)} working days of referral; urgent packages "
            "are also offered by telephone in ranked order."
        ]
    )
    sheet.append([cell(header, _HEADER_FONT, _HEADER_FILL) for header in HEADERS])
    for line in lines:
        start = cell(line.preferred_start)
        start.number_format = "dd/mm/yyyy"
        sheet.append(
            safe_row(
                sheet,
                [
                    None,
                    line.case_number,
                    cell("URGENT", _URGENT_FONT, _URGENT_FILL) if line.urgent else None,
                    line.district,
                    line.hours_per_week,
                    start,
                    line.support_type,
                    line.specialisms,
                    "TSA" if line.target_supply_area else None,
                    "Enhanced" if line.enhanced_rate else None,
                ],
            )
        )
    _about(book, council, area, day, deadline, [line.case_number for line in lines])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(
    book: Workbook,
    council: Council,
    area: str,
    day: date,
    deadline: datetime,
    cases: Sequence[str],
) -> None:
    about = book.create_sheet(ABOUT_SHEET)
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 70
    about.append([WriteOnlyCell(about, "About this batch report")])
    values = (
        council.slug,
        area,
        day.isoformat(),
        london_time(deadline),
        len(cases),
        signature(council.slug, area, day, cases),
    )
    for label, value in zip(ABOUT_LABELS, values, strict=True):
        about.append(safe_row(about, [label, value]))
    about.append(
        [
            f"Please do not change this sheet: it tells {council.name} which batch "
            "your ticks answer. A changed sheet is returned unread."
        ]
    )
    about.append(["Mosaic IDs on this batch"])
    for case in cases:
        about.append(safe_row(about, [case]))


# -- the batch of a day ----------------------------------------------------------------


def batch_reports(council: Council, day: date) -> list[BatchWorkbook]:
    """Every area's workbook of the batch issued on `day`: the packages whose batch
    interest requests were sent that day and that are still being sourced. No packages,
    no report (docs/policies.md §4.2)."""
    batch_stages = {s.name for s in policy_of(council).stages if s.kind == "batch"}
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    requests = (
        SourcingRequest.objects.filter(
            package__council=council,
            round="interest",
            stage__in=batch_stages,
            sent_at__gte=start,
            sent_at__lt=datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON),
            package__status=PackageStatus.SOURCING,
            package__change_to_existing=False,
        )
        .select_related("package__area", "package__person", "package__referral")
        .order_by("package__area__name", "sent_at")
    )
    packages: dict[str, dict[int, Package]] = defaultdict(dict)
    issued: dict[str, datetime] = {}
    deadlines: dict[str, datetime] = {}
    for request in requests:
        area = request.package.area.name
        packages[area].setdefault(request.package_id, request.package)
        issued.setdefault(area, request.sent_at)
        deadlines[area] = min(deadlines.get(area, request.deadline), request.deadline)
    workbooks = []
    for area, by_id in packages.items():
        content, cases = _build(council, area, by_id.values(), issued[area], deadlines[area])
        workbooks.append(BatchWorkbook(area, report_filename(day, area), content, cases))
    return workbooks


def _urgent_days(council: Council) -> int:
    """The policy's urgent window (docs/policies.md §4.1), for the report's own words."""
    return policy_of(council).urgent.within_working_days or 0
