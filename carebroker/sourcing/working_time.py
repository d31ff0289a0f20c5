"""The working time the dashboard reports, stored when it happens (issue 13, bench/README.md).

The dashboard's "working hours from referral to award" and "median working hours to
answer" were worked out per award and per answer, by the council's calendar, on every
page: about 4,500 awards and as many answers in the default eight weeks at 80 referrals a
day, seconds of Python per page. Instead the one write path (`runner.save_step`, row by
row or through the worker's bulk `Writes`) stores them with the state change that makes
them, in the same transaction:

- `Package.working_time_to_award`: from the referral's receipt to `awarded_at` (set, or
  worked out again, whenever the award's time changes; null while not awarded);
- `SourcingRequest.working_time_to_answer`: from `sent_at` to `responded_at` (null while
  unanswered).

Both by the calendar of the council's policy at the time (engine/workingtime.py
`working_time_between`, exact to the microsecond, so the hours are those the dashboard
worked out before). Rows written around the write path (bulk loads such as
bench/web.py's, tests' hand-built rows) have none; the dashboard works those ranges out as
before (reports/figures.py), and `refill` stores them. `refill` is also the check:
migration 0013 ran it over every existing row, `carebroker working_time` compares
what is stored with a computation from scratch, and `--fix` stores that (after a change to
a council's working day, which the stored values do not follow by themselves).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from carebroker.engine.market import Market
from carebroker.engine.policy import PolicyError
from carebroker.engine.workingtime import WorkingCalendar

CHUNK = 2_000


def to_award(
    calendar: WorkingCalendar, received: datetime | None, awarded: datetime | None
) -> timedelta | None:
    if received is None or awarded is None:
        return None
    return calendar.working_time_between(received, awarded)


def to_answer(
    calendar: WorkingCalendar, sent: datetime | None, responded: datetime | None
) -> timedelta | None:
    if sent is None or responded is None:
        return None
    return calendar.working_time_between(sent, responded)


def calendar_of(policy_name: str, policy_toml: str) -> WorkingCalendar | None:
    """The calendar of a council's policy (None if the policy cannot be read)."""
    from carebroker.councils.models import council_policy

    try:
        return Market.of(council_policy(policy_name, policy_toml), ()).calendar
    except PolicyError:
        return None


@dataclass
class Refill:
    """What a from-scratch computation found: rows checked, and those whose stored value
    differed (case numbers, with the package's request seq for answers)."""

    packages: int = 0
    requests: int = 0
    awards_wrong: list[str] = field(default_factory=list)
    answers_wrong: list[str] = field(default_factory=list)
    councils_skipped: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> int:
        return len(self.awards_wrong) + len(self.answers_wrong)


def refill(
    *,
    fix: bool,
    council_model: Any = None,
    package_model: Any = None,
    request_model: Any = None,
    councils: Any = None,
) -> Refill:
    """Work out every stored working time from scratch and compare (and, with `fix`, store
    the computed value where it differs). The models are parameters so that migration 0013
    runs the same code on its historical models."""
    if council_model is None:
        from carebroker.councils.models import Council as council_model
        from carebroker.sourcing.models import Package as package_model
        from carebroker.sourcing.models import SourcingRequest as request_model
    found = Refill()
    chosen = councils if councils is not None else council_model.objects.order_by("pk")
    for council in chosen:
        calendar = calendar_of(council.policy_name, council.policy_toml)
        if calendar is None:
            found.councils_skipped.append(council.slug)
            continue
        awards = package_model.objects.filter(council=council).order_by("pk")
        for chunk in _chunks(
            awards.values_list(
                "pk", "case_number", "referral__received_at", "awarded_at", "working_time_to_award"
            )
        ):
            changed = []
            for pk, case, received, awarded, stored in chunk:
                found.packages += 1
                wanted = to_award(calendar, received, awarded)
                if wanted != stored:
                    found.awards_wrong.append(case)
                    changed.append((pk, wanted))
            if fix and changed:
                _update(package_model, "working_time_to_award", changed)
        answers = request_model.objects.filter(package__council=council).order_by("pk")
        for chunk in _chunks(
            answers.values_list(
                "pk",
                "package__case_number",
                "seq",
                "sent_at",
                "responded_at",
                "working_time_to_answer",
            )  # fmt: skip
        ):
            changed = []
            for pk, case, seq, sent, responded, stored in chunk:
                found.requests += 1
                wanted = to_answer(calendar, sent, responded)
                if wanted != stored:
                    found.answers_wrong.append(f"{case} request {seq + 1}")
                    changed.append((pk, wanted))
            if fix and changed:
                _update(request_model, "working_time_to_answer", changed)
    return found


def _update(model: Any, name: str, changed: list[tuple[int, timedelta | None]]) -> None:
    """One column of many rows: one `executemany` UPDATE (bulk_update's CASE over 2,000
    rows took 7 minutes for 100,000 packages on SQLite)."""
    column = model._meta.get_field(name)
    table = connection.ops.quote_name(model._meta.db_table)
    # Names from the model's own metadata, values as parameters.
    update = f"UPDATE {table} SET {connection.ops.quote_name(column.column)} = %s WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            update, [(column.get_db_prep_save(value, connection), pk) for pk, value in changed]
        )


def _chunks(rows: Any) -> Iterator[list[tuple[Any, ...]]]:
    """The rows (whose first value is the primary key), a chunk at a time in key order,
    each chunk read whole before its updates are written."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]
