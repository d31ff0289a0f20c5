"""The tracker export (.xlsx), like Leicestershire's Short Breaks Framework Tracker (seed 004).

Sheets:

- **Open**: cases still being sourced, waiting for a decision or held, with the next
  deadline and the number of days since the referral was received.
- **Filled**: awarded cases: to whom, the rate, the date filled, days since referral and
  days taken to a full support package (referral to award).
- **Closed**: cases closed, cancelled or unfilled, with the date and the reason.
- **IPAs created**: the individual placement agreements kept with the packages
  (`placements`), with the date sent and, when it came back, the signed one's date and how
  many versions came back, the countersignature (when, by whom), the start date checked
  then, and "Start date checked" ("To be done" while a signed IPA waits).
- **Providers approached**: one row per provider approached per case, with its answer code
  as the tracker writes it: "Y - £24.10" (yes in full at a rate), "Y - part", "N (X)"
  (no, with the Part B code), the not-awarded code (D1–D4) for an offer not chosen,
  "Awarded" for the winner, "Query", "No response" for an expired request.

Days are **calendar days**, as the seed's tracker counts them (its columns M and N are
formulas over dates, overtyped with the number of days when the case closes); a working-days
column sits beside each for the councils whose policies count working days (§5 waiting
list). Dates are London dates (docs/policies.md §1).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from carebroker.councils.models import Council
from carebroker.engine.vocabulary import LIVE, EventType
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.exchange.batch_report import calendar_of
from carebroker.exchange.spreadsheet import row as safe_row
from carebroker.lib.london import LONDON
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest, TimelineEvent

CLOSED = (PackageStatus.CLOSED, PackageStatus.CANCELLED, PackageStatus.UNFILLED)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1D70B8")
_OUTCOME_CODES = {
    "query": "Query",
    "interest": "Interest",
    "expired": "No response",
    "open": "Awaiting answer",
    "withdrawn": "Withdrawn",
    "considering": "Considering",
    "assessment": "Assessment requested",
}


def answer_code(request: SourcingRequest, awarded: bool) -> str:
    """The tracker's code for one provider's answer (seed 004 step 17-18)."""
    if awarded:
        return "Awarded"
    if request.not_awarded:
        return request.not_awarded  # D1-D4 where the policy has codes (§6.3)
    if request.outcome in ("offer", "accept"):
        if request.coverage == "part":
            return "Y - part"
        return f"Y - £{request.rate:.2f}" if request.rate is not None else "Y"
    if request.outcome == "decline":
        return f"N ({request.reason})" if request.reason else "N"
    return _OUTCOME_CODES.get(request.outcome, request.outcome)


def tracker_xlsx(council: Council, now: datetime) -> bytes:
    """The council's tracker on `now`'s London date (see the module docstring)."""
    today = now.astimezone(LONDON).date()
    calendar = calendar_of(council)
    packages = list(
        Package.objects.filter(council=council)
        .select_related("referral", "area", "awarded_provider")
        .order_by("referral__received_at", "case_number")
    )
    requests: dict[int, list[SourcingRequest]] = defaultdict(list)
    for request in (
        SourcingRequest.objects.filter(package__council=council)
        .select_related("provider")
        .order_by("package_id", "seq")
    ):
        requests[request.package_id].append(request)
    ended = _last_events(council)
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "Open", OPEN_HEADERS, _open_rows(packages, requests, today, calendar))
    _sheet(book, "Filled", FILLED_HEADERS, _filled_rows(packages, requests, calendar))
    _sheet(book, "Closed", CLOSED_HEADERS, _closed_rows(packages, ended, calendar))
    _sheet(book, "IPAs created", IPA_HEADERS, _ipa_rows(council))
    _sheet(book, "Providers approached", APPROACHED_HEADERS, _approached_rows(packages, requests))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _received(package: Package) -> date:
    return package.referral.received_at.astimezone(LONDON).date()


def _days(start: date, end: date, calendar: WorkingCalendar) -> tuple[int, int]:
    return (end - start).days, calendar.working_days_between(start, end)


OPEN_HEADERS = (
    "Mosaic ID", "Area", "Status", "Stage", "Waiting for", "Referral received",
    "Preferred start", "Hours per week", "Support type", "Next deadline",
    "Days since referral received", "Working days since referral received",
)  # fmt: skip


def _open_rows(
    packages: Sequence[Package],
    requests: dict[int, list[SourcingRequest]],
    today: date,
    calendar: WorkingCalendar,
) -> Iterable[list[object]]:
    for package in packages:
        if package.status not in LIVE:
            continue
        waiting = [r.deadline for r in requests[package.pk] if r.outcome == "open"]
        deadline = min(waiting).astimezone(LONDON).replace(tzinfo=None) if waiting else None
        yield [
            package.case_number, package.area.name, package.get_status_display(),
            package.stage, package.held_reason or package.gate, _received(package),
            package.preferred_start, float(package.hours_per_week), package.support_type,
            deadline, *_days(_received(package), today, calendar),
        ]  # fmt: skip


FILLED_HEADERS = (
    "Mosaic ID", "Area", "Filled", "Awarded to", "Hourly rate", "Start", "Referral received",
    "Days since referral received", "Days taken to full support package",
    "Working days taken to full support package",
)  # fmt: skip


def _filled_rows(
    packages: Sequence[Package],
    requests: dict[int, list[SourcingRequest]],
    calendar: WorkingCalendar,
) -> Iterable[list[object]]:
    confirmed = _confirmed_starts(packages)
    for package in packages:
        if package.status != PackageStatus.AWARDED or package.awarded_at is None:
            continue
        filled = package.awarded_at.astimezone(LONDON).date()
        won = [
            r
            for r in requests[package.pk]
            if r.provider_id == package.awarded_provider_id and r.outcome in ("offer", "accept")
        ]
        rate = won[-1].rate if won else None
        # The start the council checked when it countersigned (seed 004 step 24), else the
        # one offered.
        start = confirmed.get(package.pk) or (won[-1].start if won else None)
        calendar_days, working_days = _days(_received(package), filled, calendar)
        yield [
            package.case_number, package.area.name, filled, str(package.awarded_provider or ""),
            float(rate) if rate is not None else None, start, _received(package),
            calendar_days, calendar_days, working_days,
        ]  # fmt: skip


CLOSED_HEADERS = (
    "Mosaic ID", "Area", "Status", "Closed", "Reason", "Referral received",
    "Days since referral received",
)  # fmt: skip


def _last_events(council: Council) -> dict[int, TimelineEvent]:
    last: dict[int, TimelineEvent] = {}
    for event in TimelineEvent.objects.filter(
        package__council=council, package__status__in=CLOSED
    ).order_by("package_id", "id"):
        last[event.package_id] = event
    return last


def _closed_rows(
    packages: Sequence[Package], ended: dict[int, TimelineEvent], calendar: WorkingCalendar
) -> Iterable[list[object]]:
    for package in packages:
        if package.status not in CLOSED:
            continue
        event = ended.get(package.pk)
        closed = event.at.astimezone(LONDON).date() if event else None
        why = ""
        if event is not None:
            details = event.details or {}
            why = str(details.get("why") or details.get("reason") or event.type.replace("_", " "))
        yield [
            package.case_number, package.area.name, package.get_status_display(), closed, why,
            _received(package),
            (closed - _received(package)).days if closed else None,
        ]  # fmt: skip


def _confirmed_starts(packages: Sequence[Package]) -> dict[int, date]:
    """Each package's latest confirmed start date (the engine's `confirmed` event)."""
    starts: dict[int, date] = {}
    for package_id, details in (
        TimelineEvent.objects.filter(package__in=packages, type=EventType.CONFIRMED)
        .order_by("package_id", "at", "id")
        .values_list("package_id", "details")
    ):
        if (details or {}).get("start"):
            starts[package_id] = date.fromisoformat(details["start"])
    return starts


# Seed 004 step 24: the IPAs Created tab's columns G to J and "Start date checked", which
# reads "To be done" while a signed IPA waits for the council's countersignature.
IPA_HEADERS = ("Mosaic ID", "Provider", "IPA created", "File name", "Signed IPA received",
               "Signed file name", "Signed versions", "Countersigned", "Countersigned by",
               "Start date", "Start date checked")  # fmt: skip


def _ipa_rows(council: Council) -> Iterable[list[object]]:
    kinds = (DocumentKind.IPA, DocumentKind.SIGNED_IPA, DocumentKind.COUNTERSIGNED_IPA)
    documents = (
        PlacementDocument.objects.filter(council=council, kind__in=kinds)
        .select_related("package", "provider", "created_by")
        .defer("content", "package__engine_state")
    )
    signed: dict[tuple[int, int | None], list[PlacementDocument]] = defaultdict(list)
    countersigned: dict[tuple[int, int | None], PlacementDocument] = {}
    ipas: dict[tuple[int, int | None], PlacementDocument] = {}
    for document in documents.order_by("created_at", "id"):
        key = (document.package_id, document.provider_id)
        if document.kind == DocumentKind.SIGNED_IPA:
            signed[key].append(document)  # every version kept: a revision adds one
        elif document.kind == DocumentKind.COUNTERSIGNED_IPA:
            countersigned[key] = document
        elif key not in ipas or document.filename.lower().endswith(".pdf"):
            ipas[key] = document  # one row per IPA: the PDF kept, else the DOCX
    starts = _confirmed_starts([d.package for d in ipas.values()])
    for key, document in ipas.items():
        back = signed[key][-1] if signed[key] else None
        done = countersigned.get(key)
        if done is not None and back is not None and done.created_at < back.created_at:
            done = None  # a revision came back after the last countersignature
        by = done.created_by if done else None
        yield [
            document.package.case_number,
            str(document.provider or ""),
            document.created_at.astimezone(LONDON).date(),
            document.filename,
            back.created_at.astimezone(LONDON).date() if back else None,
            back.filename if back else None,
            len(signed[key]),
            done.created_at.astimezone(LONDON).date() if done else None,
            (by.get_full_name() or by.get_username()) if by else None,
            starts.get(document.package_id),
            "Yes" if done else ("To be done" if back else None),
        ]


APPROACHED_HEADERS = (
    "Mosaic ID", "Provider", "Stage", "First approached", "Last deadline", "Answered",
    "Answer",
)  # fmt: skip


def _approached_rows(
    packages: Sequence[Package], requests: dict[int, list[SourcingRequest]]
) -> Iterable[list[object]]:
    for package in packages:
        by_provider: dict[int, list[SourcingRequest]] = defaultdict(list)
        for request in requests[package.pk]:
            by_provider[request.provider_id].append(request)
        for rows in by_provider.values():
            # The offer round answers the package; the interest round only asked for the ISP.
            offers = [r for r in rows if r.round == "offer"]
            last = (offers or rows)[-1]
            answered = (
                last.responded_at.astimezone(LONDON).replace(tzinfo=None)
                if (last.responded_at)
                else None
            )
            yield [
                package.case_number, str(last.provider), last.stage,
                rows[0].sent_at.astimezone(LONDON).replace(tzinfo=None),
                last.deadline.astimezone(LONDON).replace(tzinfo=None), answered,
                answer_code(last, package.awarded_provider_id == last.provider_id),
            ]  # fmt: skip


def _sheet(
    book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(safe_row(sheet, headers))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    count = 0
    for row in rows:
        sheet.append(safe_row(sheet, row))  # provider names, reasons: never formulas
        count += 1
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, len(header) + 2)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
