"""The CQC care directory check: registration and latest rating matched to providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from carebroker.councils.models import Council
from carebroker.engine.policy import PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.exchange.cells import CellError, got, read_date
from carebroker.exchange.sheets import Column, ImportRefused, SheetRow, read_sheet
from carebroker.providers.models import CqcRating, Provider, ProviderKind

COLUMNS = (
    Column(
        "location_id",
        "Location ID",
        ("CQC Location ID", "CQC Location ID (for office use only)", "Location Id"),
    ),
    Column("name", "Name", ("Location Name",), required=False),
    Column(
        "registration",
        "Registration status",
        ("Location Registration Status", "Registration", "Status"),
        required=False,
    ),
    Column(
        "rating",
        "Latest overall rating",
        ("Location Latest Overall Rating", "Overall rating", "Latest rating", "Rating"),
    ),
    Column(
        "rating_date",
        "Publication date",
        (
            "Rating date",
            "Latest rating date",
            "Location Latest Rating Publication Date",
            "Publication Date (latest rating)",
            "Date of latest check",
        ),
        required=False,
    ),
)

REGISTERED = {"registered": True, "active": True, "deregistered": False, "inactive": False}
# CQC's own words for "no overall rating yet" (blank, or the published phrases)
NOT_RATED = {"", "not rated", "not yet rated", "insufficient evidence to rate", "no rating"}
RATINGS = {rating.casefold(): rating for rating in CqcRating.values}
PLACEABLE_RATINGS = (CqcRating.GOOD.value, CqcRating.OUTSTANDING.value)
# docs/policies.md §5.5, used when the council's own policy cannot be read
DEFAULT_RULES = {ProviderKind.NON_CONTRACTED.value: (True, PLACEABLE_RATINGS)}


@dataclass(frozen=True)
class PlacementConcern:
    """A provider whose CQC record no longer meets registered + Good/Outstanding (§5.5)."""

    provider: str
    kind: str
    reason: str
    blocked: bool  # True when the council's policy bars its kind from placement on this ground


@dataclass(frozen=True)
class CqcReport:
    """What a CQC directory check found, by provider name."""

    matched: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    not_in_file: tuple[str, ...] = ()  # providers with a CQC location ID the file does not list
    unknown_rows: int = 0  # rows naming a location ID no provider has: ignored
    concerns: tuple[PlacementConcern, ...] = ()

    def __str__(self) -> str:
        return (
            f"{len(self.matched)} matched, {len(self.updated)} updated, "
            f"{len(self.not_in_file)} not in the file, {self.unknown_rows} rows ignored, "
            f"{sum(c.blocked for c in self.concerns)} blocked from placement"
        )


@dataclass(frozen=True)
class _Location:
    row: int
    registered: bool
    rating: str
    rating_date: date | None  # None also when the file has no date column


class CqcDirectoryImporter:
    """Check a council's providers against the CQC care directory CSV (or .xlsx).

    Columns (headers match ignoring case, spaces and punctuation; a title line
    above the header row is skipped):

    - ``Location ID`` (CQC Location ID, CQC Location ID (for office use only)),
      required: matched to a provider's ``cqc_location_id``.
    - ``Latest overall rating`` (Location Latest Overall Rating, Overall rating,
      Rating), required: Outstanding, Good, Requires improvement, Inadequate;
      blank, "Not rated" or "Insufficient evidence to rate" store Not rated.
    - ``Registration status`` (Location Registration Status, Status):
      Registered/Active or Deregistered/Inactive. Without this column every
      listed location is registered (CQC's active locations file lists only those).
    - ``Publication date`` (Rating date, Latest rating date, Date of latest
      check): 2026-01-05, 05/01/2026 or 5 Jan 2026; without the column the stored
      dates are kept.
    - ``Name`` (Location Name): read for messages only; other columns are ignored.

    Each matched provider's ``cqc_registered``, ``cqc_rating`` and
    ``cqc_rating_date`` are set from its row. Providers whose CQC location ID is
    not in the file are listed, not changed. The report lists every matched
    provider that is not registered with a Good or Outstanding rating
    (docs/policies.md §5.5), marking as blocked those whose kind the council's policy
    approaches only on that condition (Kent: non-contracted). One transaction;
    a bad row changes nothing; importing the same file again changes nothing.
    """

    def __init__(self, council: Council) -> None:
        self.council = council

    def handle(self, path: str | Path) -> CqcReport:
        sheet = read_sheet(path, COLUMNS, other_columns=True)
        has_date = "rating_date" in sheet.present
        locations = self._locations(sheet.rows, "registration" in sheet.present)
        with transaction.atomic():
            providers = list(self.council.providers.exclude(cqc_location_id="").order_by("name"))
            matched: list[str] = []
            updated: list[str] = []
            known: set[str] = set()
            for provider in providers:
                location_id = provider.cqc_location_id.strip().upper()
                known.add(location_id)
                location = locations.get(location_id)
                if location is None:
                    continue
                matched.append(provider.name)
                wanted = (
                    location.registered,
                    location.rating,
                    location.rating_date if has_date else provider.cqc_rating_date,
                )
                if (provider.cqc_registered, provider.cqc_rating, provider.cqc_rating_date) != (
                    wanted
                ):
                    (
                        provider.cqc_registered,
                        provider.cqc_rating,
                        provider.cqc_rating_date,
                    ) = wanted
                    provider.save(update_fields=["cqc_registered", "cqc_rating", "cqc_rating_date"])
                    updated.append(provider.name)
            matched_set = set(matched)
            return CqcReport(
                matched=tuple(matched),
                updated=tuple(updated),
                not_in_file=tuple(p.name for p in providers if p.name not in matched_set),
                unknown_rows=sum(1 for location_id in locations if location_id not in known),
                concerns=self._concerns([p for p in providers if p.name in matched_set]),
            )

    def _locations(self, rows: list[SheetRow], has_registration: bool) -> dict[str, _Location]:
        problems: list[str] = []
        locations: dict[str, _Location] = {}
        for row in rows:
            location_id = row["location_id"].upper()
            try:
                location = _location(row, has_registration)
            except CellError as error:
                problems.append(f"row {row.number}, {error}")
                continue
            if not location_id:
                problems.append(f"row {row.number}, Location ID: is required")
                continue
            first = locations.get(location_id)
            if first is not None and (first.registered, first.rating, first.rating_date) != (
                location.registered,
                location.rating,
                location.rating_date,
            ):
                problems.append(
                    f"row {row.number}, Location ID: {location_id} is already in the file "
                    f"with another status or rating (row {first.row})"
                )
            locations.setdefault(location_id, location)
        if problems:
            raise ImportRefused(problems)
        return locations

    def _concerns(self, providers: list[Provider]) -> tuple[PlacementConcern, ...]:
        rules = _policy_rules(self.council)
        concerns = []
        for provider in providers:
            reason = placement_concern(provider.cqc_registered, provider.cqc_rating)
            if reason is None:
                continue
            rule = rules.get(provider.kind) or rules.get("")
            blocked = rule is not None and (
                (rule[0] and not provider.cqc_registered)
                or (bool(rule[1]) and provider.cqc_rating not in rule[1])
            )
            concerns.append(PlacementConcern(provider.name, provider.kind, reason, blocked))
        return tuple(concerns)


def placement_concern(registered: bool, rating: str) -> str | None:
    """Why a CQC record does not allow placement (docs/policies.md §5.5), or None when it does."""
    if not registered:
        return "not registered with CQC"
    if rating not in PLACEABLE_RATINGS:
        return f"rated {rating or 'Not rated'}"
    return None


def _location(row: SheetRow, has_registration: bool) -> _Location:
    registration = row["registration"].casefold()
    if has_registration and registration not in REGISTERED:
        status = got(row["registration"])
        raise CellError(f"Registration status: must be Registered or Deregistered, got {status}")
    rating_text = " ".join(row["rating"].split()).casefold()
    if rating_text in NOT_RATED:
        rating = CqcRating.NOT_RATED.value
    elif rating_text in RATINGS:
        rating = RATINGS[rating_text]
    else:
        raise CellError(
            "Latest overall rating: must be Outstanding, Good, Requires improvement, "
            f"Inadequate or blank, got {got(row['rating'])}"
        )
    try:
        rating_date = read_date(row["rating_date"]) if row["rating_date"] else None
    except CellError as error:
        raise CellError(f"Publication date: {error}") from None
    return _Location(
        row=row.number,
        registered=REGISTERED[registration] if has_registration else True,
        rating=rating,
        rating_date=rating_date,
    )


def _policy_rules(council: Council) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Provider kind -> (must be registered, ratings allowed) from the council's policy stages
    ("" for a stage over every kind); the §5.5 default when the policy cannot be read."""
    try:
        policy = load_policy(council.policy_toml or council.policy_name)
    except PolicyError:
        return dict(DEFAULT_RULES)
    rules: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for stage in policy.stages:
        selection = stage.providers
        if selection.cqc_registered or selection.cqc_ratings:
            for kind in selection.kinds or ("",):
                rules[kind] = (selection.cqc_registered, selection.cqc_ratings)
    return rules
