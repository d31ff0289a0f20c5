"""What a view tells the person after a service ran: success, or why nothing moved.

Domain errors (the services' `SourcingError`, `ActionError`, `AlreadyAwarded`, a
`ValidationError` naming a field, a `PolicyError`) become form errors, never a traceback.
An input the engine did not act on (its `ignored` event) is told as such.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from carebroker.engine.engine import StepResult
from carebroker.engine.policy import PolicyError
from carebroker.sourcing.actions import ActionError
from carebroker.sourcing.runner import SourcingError

# PermissionDenied is not here: it stays a 403.
SERVICE_ERRORS = (SourcingError, ActionError, ValidationError, PolicyError)


def ignored(outcome: StepResult | None) -> list[str]:
    """Why the engine did not act on the input, if it did not."""
    if outcome is None:
        return []
    return [str(e.details.get("ignored", "")) for e in outcome.events if e.type == "ignored"]


def tell(request: HttpRequest, done: str, outcome: StepResult | None = None) -> None:
    """The notification banner after a change (shown on the page redirected to)."""
    reasons = ignored(outcome)
    if reasons:
        messages.warning(request, f"Recorded, but nothing changed: {'; '.join(reasons)}.")
    else:
        messages.success(request, done)
