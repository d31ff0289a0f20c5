"""A finished simulation's result as report tables: the page shows them beside their charts,
and the downloads write exactly their cells (reports/tables.py)."""

from __future__ import annotations

import difflib
from datetime import date
from decimal import Decimal
from typing import Any

from carebroker.engine.vocabulary import PackageStatus
from carebroker.reports.tables import Cell, Table

CURRENT, EDITED = "Current policy", "Edited policy"
SIDES = (CURRENT, EDITED, "Difference")
_OUTCOME = {PackageStatus.AWARDED: "Placed"}  # the word the comparison uses throughout


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _difference(current: Cell, edited: Cell) -> Cell:
    if isinstance(current, int | Decimal) and isinstance(edited, int | Decimal):
        return edited - current
    return None


def _row(label: str, current: Cell, edited: Cell) -> tuple[Cell, ...]:
    return (label, current, edited, _difference(current, edited))


def _hours(value: Any) -> Decimal | None:
    number = _number(value)
    return None if number is None else number.quantize(Decimal("0.1"))


def result_tables(result: dict[str, Any]) -> list[Table]:
    """The side-by-side summary, outcomes, working hours, requests and the weeks."""
    cur, new = result["current"], result["edited"]
    numeric = frozenset({1, 2, 3})
    summary = Table(
        "summary",
        "Side by side",
        ("Figure", *SIDES),
        [
            _row("Packages placed", cur["placed"], new["placed"]),
            _row("Packages unfilled", cur["unfilled"], new["unfilled"]),
            _row(
                "Working hours from referral to award, median",
                _hours(cur["hours_median"]),
                _hours(new["hours_median"]),
            ),
            _row(
                "Working hours from referral to award, 90th percentile",
                _hours(cur["hours_p90"]),
                _hours(new["hours_p90"]),
            ),
            _row(
                "Requests per placement",
                _number(cur["requests_per_placement"]),
                _number(new["requests_per_placement"]),
            ),
            _row("Requests sent", cur["requests"], new["requests"]),
        ],
        numeric,
    )

    def count(side: dict[str, Any], status: PackageStatus) -> int:
        return int(side["statuses"].get(status.value, 0))

    shown = [
        status
        for status in PackageStatus
        if status in (PackageStatus.AWARDED, PackageStatus.UNFILLED)
        or (status != PackageStatus.NEW and (count(cur, status) or count(new, status)))
    ]
    outcomes = Table(
        "outcomes",
        "Packages by outcome at the end of the replay",
        ("Outcome", *SIDES),
        [
            _row(_OUTCOME.get(status, status.label), count(cur, status), count(new, status))
            for status in shown
        ],  # fmt: skip
        numeric,
        empty="No packages were replayed.",
    )
    hours = Table(
        "hours",
        "Working hours from referral to award",
        ("Measure", *SIDES),
        [
            _row("Median", _hours(cur["hours_median"]), _hours(new["hours_median"])),
            _row("90th percentile", _hours(cur["hours_p90"]), _hours(new["hours_p90"])),
        ],
        numeric,
    )
    requests = Table(
        "requests",
        "Requests per placement",
        ("Measure", *SIDES),
        [
            _row(
                "Requests per placement",
                _number(cur["requests_per_placement"]),
                _number(new["requests_per_placement"]),
            )
        ],
        numeric,
    )
    edited_weeks = {row[0]: row for row in new["weeks"]}
    weeks = Table(
        "weeks",
        "Packages placed and unfilled by week of referral",
        (
            "Week beginning",
            "Referrals",
            "Placed, current policy",
            "Placed, edited policy",
            "Unfilled, current policy",
            "Unfilled, edited policy",
        ),
        [
            (
                date.fromisoformat(week),
                referred,
                placed,
                edited_weeks.get(week, (week, 0, 0, 0))[2],
                unfilled,
                edited_weeks.get(week, (week, 0, 0, 0))[3],
            )
            for week, referred, placed, unfilled in cur["weeks"]
        ],
        frozenset({1, 2, 3, 4, 5}),
        empty="No packages were referred in these weeks.",
    )
    return [summary, outcomes, hours, requests, weeks]


def policy_changes(current: str, edited: str) -> list[tuple[int, str, str]]:
    """What the manager changed: (line of the edited policy, the current text, the edited
    text) for each line changed, added (current empty) or removed (edited empty)."""
    was, now = current.splitlines(), edited.splitlines()
    changes: list[tuple[int, str, str]] = []
    matcher = difflib.SequenceMatcher(a=was, b=now, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = was[a0:a1], now[b0:b1]
        for n in range(max(len(old), len(new))):
            changes.append(
                (b0 + min(n, max(len(new) - 1, 0)) + 1,
                 old[n] if n < len(old) else "", new[n] if n < len(new) else "")
            )  # fmt: skip
    return changes
