"""The provider directory import: a council's providers, tiers, lots, ranks and contacts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from carebroker.councils.models import Area, Council
from carebroker.exchange.cells import (
    CellError,
    got,
    read_choice,
    read_count,
    read_email,
    read_flag,
    read_list,
    read_money,
    read_numbers,
    read_phone,
)
from carebroker.exchange.sheets import Column, ImportRefused, Sheet, SheetRow, read_sheet
from carebroker.providers.models import Contact, ContactRole, Provider, ProviderArea, ProviderKind

RANK = "rank"
_CQC_ID = re.compile(r"1-[0-9]{3,15}")


def _tier(text: str) -> int | None:
    if not text:
        return None
    number = text.casefold().removeprefix("tier").strip()
    if number not in ("1", "2"):
        raise CellError(f"must be 1 or 2, got {got(text)}")
    return int(number)


def _kind(text: str) -> str:
    if not text:
        raise CellError("is required")
    return read_choice(text, ProviderKind.choices)


def _cqc_location_id(text: str) -> str:
    if text and not _CQC_ID.fullmatch(text):
        raise CellError(f"must be a CQC location ID like 1-123456789, got {got(text)}")
    return text


def _age(text: str) -> int | None:
    return read_count(text, maximum=120)


# Provider fields a column sets: column key -> (model field, reader).
PROVIDER_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "kind": ("kind", _kind),
    "tier": ("tier", _tier),
    "lots": ("lots", read_numbers),
    "support_types": ("support_types", read_list),
    "specialisms": ("specialisms", read_list),
    "min_age": ("min_age", _age),
    "max_age": ("max_age", _age),
    "cqc_location_id": ("cqc_location_id", _cqc_location_id),
    "framework_hourly_rate": ("framework_hourly_rate", read_money),
    "sanctioned": ("sanctioned", read_flag),
}

COLUMNS = (
    Column("name", "name", ("provider", "provider name")),
    Column("kind", "kind", ("provider kind", "type")),
    Column("tier", "tier", required=False),
    Column("lots", "lots", ("lot",), required=False),
    Column("support_types", "support types", ("support type",), required=False),
    Column("specialisms", "specialisms", ("specialism",), required=False),
    Column("min_age", "min age", ("minimum age",), required=False),
    Column("max_age", "max age", ("maximum age",), required=False),
    Column("cqc_location_id", "cqc location id", ("cqc id", "location id"), required=False),
    Column("framework_hourly_rate", "framework hourly rate", ("hourly rate",), required=False),
    Column("sanctioned", "sanctioned", ("sanction",), required=False),
    Column("main_name", "main contact name", ("main contact",)),
    Column("main_email", "main contact email"),
    Column("main_phone", "main contact phone", required=False),
    Column("senior_name", "senior contact name", ("senior contact",), required=False),
    Column("senior_email", "senior contact email", required=False),
)
LABELS = {column.key: column.label for column in COLUMNS}
MODEL_LABELS = {field: LABELS[key] for key, (field, _reader) in PROVIDER_FIELDS.items()} | {
    "name": "name",
    NON_FIELD_ERRORS: "name",
}


@dataclass(frozen=True)
class ImportReport:
    """What an import did, by provider name."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


@dataclass
class _Entry:
    """One row of the file, read and checked, not yet written."""

    row: int
    name: str
    fields: dict[str, Any]
    main: tuple[str, str, str | None]  # name, email, phone (None: keep the stored phone)
    senior: tuple[str, str] | None
    ranks: dict[Area, int | None] = field(default_factory=dict)


class ProviderDirectoryImporter:
    """Import a council's provider directory from a CSV or .xlsx file (one row a provider).

    Columns (headers match ignoring case, spaces, underscores and punctuation;
    other spellings in brackets):

    - ``name`` (provider, provider name), required: matches a provider of the
      council ignoring case; a new name creates a provider.
    - ``kind`` (provider kind, type), required: framework, spot, clustered,
      other contracted, non-contracted, non-framework.
    - ``tier``: 1 or 2 (Essex), blank for none.
    - ``lots``: lot numbers separated by ';' or ',' ("1;3").
    - ``support types``, ``specialisms``: texts separated by ';'.
    - ``min age``, ``max age``: whole years, blank for no limit.
    - ``cqc location id``: like 1-123456789, blank for none.
    - ``framework hourly rate``: pounds, e.g. 21.50 or £21.50.
    - ``sanctioned``: yes/no (blank is no).
    - ``main contact name``, ``main contact email`` (required), ``main contact phone``.
    - ``senior contact name``, ``senior contact email``: both or neither.
    - ``rank:<area name>``, one column per area (e.g. ``rank:North``): the
      provider's rank there, 1 approached first; blank means not in that area.

    A column left out of the file is left alone (for existing providers) or takes
    its default (for new ones); a column present is the truth: a blank senior
    contact removes the senior contact, a blank rank takes the provider out of
    that area. Providers not in the file are not touched. The file names each
    provider once; ranks must not repeat within an area.

    `handle(path)` imports in one transaction: any bad row and nothing changes,
    with an `ImportRefused` naming each row, column and problem. Importing the
    same file again changes nothing (every provider reported unchanged).
    """

    def __init__(self, council: Council) -> None:
        self.council = council

    def handle(self, path: str | Path) -> ImportReport:
        sheet = read_sheet(path, COLUMNS, prefix=RANK)
        entries = self._entries(sheet, self._rank_areas(sheet))
        senior_managed = bool({"senior_name", "senior_email"} & sheet.present)
        with transaction.atomic():
            return self._write(entries, senior_managed)

    def _rank_areas(self, sheet: Sheet) -> dict[str, Area]:
        areas = {" ".join(a.name.split()).casefold(): a for a in self.council.areas.all()}
        known = ", ".join(a.name for a in areas.values()) or "none"
        found: dict[str, Area] = {}
        problems = []
        for label in sheet.prefixed:
            area = areas.get(label.casefold())
            if area is None:
                problems.append(
                    f"column 'rank:{label}': {self.council} has no area {label!r} (areas: {known})"
                )
            elif area in found.values():
                problems.append(f"column 'rank:{label}': area {area.name} has two rank columns")
            else:
                found[label] = area
        if problems:
            raise ImportRefused(problems)
        return found

    def _entries(self, sheet: Sheet, areas: dict[str, Area]) -> list[_Entry]:
        problems: list[str] = []
        entries: list[_Entry] = []
        first_row: dict[str, int] = {}
        rank_rows: dict[tuple[Area, int], tuple[int, str]] = {}
        for row in sheet.rows:
            entry = self._entry(row, sheet, areas, problems)
            if entry is None:
                continue
            folded = entry.name.casefold()
            if folded in first_row:
                problems.append(
                    f"row {row.number}, name: {entry.name!r} is already in the file "
                    f"(row {first_row[folded]})"
                )
                continue
            first_row[folded] = row.number
            for area, rank in entry.ranks.items():
                if rank is None:
                    continue
                if (area, rank) in rank_rows:
                    other_row, other = rank_rows[area, rank]
                    problems.append(
                        f"row {row.number}, rank:{area.name}: rank {rank} is also given to "
                        f"{other!r} (row {other_row})"
                    )
                rank_rows.setdefault((area, rank), (row.number, entry.name))
            entries.append(entry)
        if problems:
            raise ImportRefused(problems)
        return entries

    def _entry(
        self, row: SheetRow, sheet: Sheet, areas: dict[str, Area], problems: list[str]
    ) -> _Entry | None:
        before = len(problems)

        def read[T](key: str, label: str, reader: Callable[[str], T]) -> T | None:
            try:
                return reader(row[key])
            except CellError as error:
                problems.append(f"row {row.number}, {label}: {error}")
                return None

        name = " ".join(row["name"].split())
        if not name:
            problems.append(f"row {row.number}, name: is required")
        fields = {
            model_field: read(key, LABELS[key], reader)
            for key, (model_field, reader) in PROVIDER_FIELDS.items()
            if key in sheet.present
        }
        main_name = row["main_name"]
        if not main_name:
            problems.append(f"row {row.number}, main contact name: is required")
        main_email = read("main_email", "main contact email", _required(read_email))
        main_phone = (
            read("main_phone", "main contact phone", _blank_or(read_phone))
            if "main_phone" in sheet.present
            else None
        )
        senior = None
        if row["senior_name"] or row["senior_email"]:
            if not row["senior_name"]:
                problems.append(f"row {row.number}, senior contact name: is required with an email")
            senior_email = read("senior_email", "senior contact email", _required(read_email))
            senior = (row["senior_name"], senior_email or "")
        ranks = {
            area: read(f"{RANK}:{label}", f"rank:{label}", _rank) for label, area in areas.items()
        }
        if len(problems) > before:
            return None
        return _Entry(
            row=row.number,
            name=name,
            fields=fields,
            main=(main_name, main_email or "", main_phone),
            senior=senior,
            ranks=ranks,
        )

    def _write(self, entries: list[_Entry], senior_managed: bool) -> ImportReport:
        stored = list(self.council.providers.all())
        exact = {p.name: p for p in stored}
        folded = {p.name.casefold(): p for p in stored}
        problems: list[str] = []
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        for entry in entries:
            provider = exact.get(entry.name) or folded.get(entry.name.casefold())
            is_new = provider is None
            if provider is None:
                provider = Provider(council=self.council)
            before = _snapshot(provider, entry.fields)
            provider.name = entry.name
            for model_field, value in entry.fields.items():
                setattr(provider, model_field, value)
            if not _clean(provider, entry.row, MODEL_LABELS, problems):
                continue
            changed = is_new or _snapshot(provider, entry.fields) != before
            if changed:
                provider.save()
            main_name, main_email, main_phone = entry.main
            changed |= _sync_contact(
                provider, ContactRole.MAIN, (main_name, main_email, main_phone), entry, problems
            )
            if senior_managed:
                senior = (*entry.senior, None) if entry.senior else None
                changed |= _sync_contact(provider, ContactRole.SENIOR, senior, entry, problems)
            changed |= _sync_ranks(provider, entry.ranks)
            target = created if is_new else updated if changed else unchanged
            target.append(provider.name)
        if problems:
            raise ImportRefused(problems)  # inside the transaction: everything above is undone
        return ImportReport(tuple(created), tuple(updated), tuple(unchanged))


def _required[T](reader: Callable[[str], T]) -> Callable[[str], T]:
    def required(text: str) -> T:
        if not text:
            raise CellError("is required")
        return reader(text)

    return required


def _blank_or(reader: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: reader(text) if text else ""


def _rank(text: str) -> int | None:
    return read_count(text, minimum=1, maximum=999)


def _snapshot(provider: Provider, fields: dict[str, Any]) -> tuple[Any, ...]:
    return (provider.name, *(getattr(provider, name) for name in sorted(fields)))


def _clean(record: Any, row: int, labels: dict[str, str], problems: list[str]) -> bool:
    try:
        record.full_clean()
    except ValidationError as error:
        for model_field, messages in error.message_dict.items():
            label = labels.get(model_field, model_field.replace("_", " "))
            problems.append(f"row {row}, {label}: {' '.join(messages)}")
        return False
    return True


def _sync_contact(
    provider: Provider,
    role: str,
    wanted: tuple[str, str, str | None] | None,
    entry: _Entry,
    problems: list[str],
) -> bool:
    """Make `wanted` the provider's only contact in `role`; True when that changed anything."""
    current = list(provider.contacts.filter(role=role).order_by("id"))
    if wanted is None:
        if current:
            provider.contacts.filter(role=role).delete()
        return bool(current)
    name, email, phone = wanted
    if phone is None:  # no phone column: keep the one on record
        phone = current[0].phone if current else ""
    if len(current) == 1 and (current[0].name, current[0].email, current[0].phone) == (
        name,
        email,
        phone,
    ):
        return False
    contact = Contact(provider=provider, role=role, name=name, email=email, phone=phone)
    labels = {f: f"{role} contact {f}" for f in ("name", "email", "phone")}
    if _clean(contact, entry.row, labels, problems):
        provider.contacts.filter(role=role).delete()
        contact.save()
    return True


def _sync_ranks(provider: Provider, wanted: dict[Area, int | None]) -> bool:
    """Set the provider's rank in each area the file has a column for; True when any changed."""
    current = {pa.area_id: pa for pa in provider.area_ranks.filter(area__in=list(wanted))}
    changed = False
    for area, rank in wanted.items():
        held = current.get(area.pk)
        if rank is None:
            if held is not None:
                held.delete()
                changed = True
        elif held is None:
            ProviderArea.objects.create(provider=provider, area=area, rank=rank)
            changed = True
        elif held.rank != rank:
            held.rank = rank
            held.save(update_fields=["rank"])
            changed = True
    return changed
