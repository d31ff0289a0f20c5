"""What the package page shows after a Kent award (docs/policies.md §5 After acceptance):
the steps still due, with their due times, and the form to record the Provider Confirmation
Form from a phone call (web/views/after_award.py takes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carebroker.engine.vocabulary import PackageStatus
from carebroker.placements.confirmation_form import ConfirmationForm
from carebroker.sourcing.after_award import open_steps
from carebroker.sourcing.market_db import market_of
from carebroker.sourcing.models import Package


def after_award_context(package: Package, now: datetime, form: Any = None) -> dict[str, Any]:
    """What the package page shows after a Kent award: the open steps and the phone form."""
    if package.status != PackageStatus.AWARDED:
        return {}
    if market_of(package.council).policy.after_acceptance is None:
        return {}
    rows = list(package.timeline.order_by("id").only("type", "details", "at"))
    steps = [
        {"step": found.clock.step, "words": found.clock.words, "due": found.due,
         "overdue": found.due <= now}
        for found in open_steps(rows)
    ]  # fmt: skip
    return {
        "after_award_steps": steps,
        "confirmation_form": form or ConfirmationForm(prefix="confirm", now=now),
    }
