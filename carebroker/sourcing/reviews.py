"""Placements' reviews (PIR) on the database (docs/policies.md §5 Reviews; issue 11).

`due_reviews(council, today)` lists the placements whose review is still to be held, read
from their timelines (the review date is set when the provider confirms the start,
engine/progress.py); `do_review` records a review's outcome through the one write path
(`runner.do_council` with a `ReviewOutcome`), after `check_review` authorises it.

A review is *due* once its window opens (a person new to the team: from 2 weeks after the
start; a person known to the team: from a week before its date, an assumption where the
policy is silent) and *overdue* after its last day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.engine.inputs import ReviewOutcome
from carebroker.engine.reviews import OUTCOMES, ReviewDate, review_date
from carebroker.engine.state import Event
from carebroker.sourcing.actions import check_staff
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.runner import do_council

KNOWN_WINDOW = timedelta(weeks=1)  # a known person's review may be held the week before
_TYPES = ("review_due", "reviewed", "returned_to_list", "placement_ended", "handback")


@dataclass(frozen=True)
class DueReview:
    """One placement awaiting its review."""

    package: Package
    date: ReviewDate
    state: str  # upcoming | due | overdue

    @property
    def opens(self) -> date:
        return self.date.earliest or self.date.due - KNOWN_WINDOW


def due_reviews(council: Council, today: date) -> list[DueReview]:
    """The council's placements with a review still to hold, overdue first, then by date."""
    placed = Package.objects.filter(council=council, status="awarded").select_related(
        "area", "awarded_provider"
    )
    timelines: dict[int, list[Event]] = defaultdict(list)
    for package_id, at, type_, details in (
        TimelineEvent.objects.filter(package__in=placed, type__in=_TYPES)
        .order_by("at", "pk")
        .values_list("package_id", "at", "type", "details")
    ):
        timelines[package_id].append(Event(at, type_, details or {}))
    rows = []
    for package in placed.defer("engine_state"):
        found = review_date(timelines.get(package.pk, ()))
        if found is not None:
            rows.append(_row(package, found, today))
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    rows.sort(key=lambda r: (order[r.state], r.date.due, r.package.case_number))
    return rows


def _row(package: Package, found: ReviewDate, today: date) -> DueReview:
    row = DueReview(package, found, "upcoming")
    if today > found.due:
        return DueReview(package, found, "overdue")
    if today >= row.opens:
        return DueReview(package, found, "due")
    return row


def check_review(
    user: User, package: Package, outcome: str, hours: Decimal | None, notes: str
) -> None:
    """A broker or manager of the council; an outcome the engine knows; new hours for a
    change of hours. ValidationError naming the field otherwise."""
    check_staff(user, package)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Select the outcome of the review"})
    if outcome == "change_hours" and (hours is None or hours <= 0):
        raise ValidationError({"hours_per_week": "Enter the new hours a week, like 10.5"})
    if len(notes) > 1000:
        raise ValidationError({"notes": "Keep the notes to 1,000 characters"})


def do_review(
    user: User,
    package: Package,
    outcome: str,
    hours: Decimal | None,
    notes: str,
    now: datetime,
) -> list[str]:
    """Record the outcome; returns the engine's refusals in words (empty when recorded)."""
    check_review(user, package, outcome, hours, notes)
    signal = ReviewOutcome(
        at=now,
        actor=str(user.role),
        outcome=outcome,
        hours_per_week=hours if outcome == "change_hours" else None,
        reason=notes.strip() or None,
    )
    result = do_council(package, signal, now=now, actor=user.get_username())
    return [str(e.details.get("ignored")) for e in result.events if e.type == "ignored"]
