"""Handing back placements in the portal (docs/policies.md §5 Handbacks; issue 11).

A provider's own placements (packages awarded to it, still running) are listed; one can be
handed back at once with a reason, or several together with notice (the day care ends).
Each package's handback is a provider answer to the engine through the one write path
(`runner.record_answer`, action `handback` or `handback_notice`): the engine refuses a
mere preference about call times and notice shorter than the policy's, and tells the area
support manager through the outbox. Several packages are handed back in one transaction:
if the engine refuses any, none is handed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import QuerySet

from carebroker.accounts.models import User
from carebroker.engine.handbacks import CALL_TIMES, CALL_TIMES_REFUSED, REASONS
from carebroker.engine.inputs import Answer
from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.lib.london import LONDON
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package, PackageStatus

# A placement runs from the award; other placement states are counted in when they exist
# (issue 11: confirmed, started, under review).
PLACED = tuple(
    s for s in ("awarded", "confirmed", "started", "under_review") if s in PackageStatus.values
)
REASON_HINTS = {CALL_TIMES: "This is not a handback: the council talks to you about the calls"}


def placements_of(user: User) -> QuerySet[Package]:
    """The running placements of the user's provider in the user's council (an ended one,
    whose package stays awarded, is not handed back)."""
    return (
        Package.objects.filter(
            council_id=user.council_id, awarded_provider_id=user.provider_id, status__in=PLACED
        )
        .exclude(timeline__type="placement_ended")  # engine/placement.py: an ended placement
        .select_related("area")
        .defer("engine_state")
        .order_by("awarded_at", "case_number")
    )


class HandbackForm(GovukForm):
    """Why the provider hands the package back (GOV.UK radios, and the provider's words)."""

    reason = forms.ChoiceField(
        label="Why are you handing this package back?",
        choices=list(REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why you are handing the package back",
            "invalid_choice": "Select one of the reasons listed",
        },
    )
    text = forms.CharField(
        label="Tell the council more",
        help_text="Required if you chose another reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Tell the council more in 1,000 characters or fewer"},
    )
    option_hints = {"reason": REASON_HINTS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not (data.get("text") or "").strip():
            self.add_error("text", "Tell the council your reason for handing the package back")
        return data


class HandbackNoticeForm(HandbackForm):
    """Several packages handed back together, with the day care ends (the notice)."""

    packages = forms.MultipleChoiceField(
        label="Which packages are you handing back?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the packages you are handing back",
            "invalid_choice": "Select only packages placed with you",
        },
    )
    ends = GovukDateField(
        label="Last day of care",
        noun="the last day of care",
        help_text="For example 14 12 2026",
        error_messages={"required": "Enter the last day of care"},
    )
    field_order = ["packages", "ends", "reason", "text"]

    def __init__(
        self, *args: Any, placements: Sequence[Package], notice_days: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "ends"
        ].help_text = (
            f"The council needs at least {notice_days} days' notice, for example 14 12 2026"
        )
        self.fields["packages"].choices = [
            (str(p.pk), f"{p.case_number}, {p.area.name}, {_hours(p)} hours a week")
            for p in placements
        ]

    def clean_packages(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["packages"]
        if len(chosen) < 2:
            raise forms.ValidationError(
                "Select at least two packages: to hand back one package, use Hand back on its row"
            )
        return chosen


def _hours(package: Package) -> str:
    return f"{package.hours_per_week.normalize():f}"


@dataclass(frozen=True)
class Refused(Exception):
    """The engine did not take a handback: `field` of the form, and why in words."""

    field: str
    message: str


def hand_back(package: Package, provider_id: int, reason: str, text: str, now: datetime) -> None:
    """One package handed back at once; raises Refused with the engine's reason in words."""
    answer = Answer(at=now, provider=str(provider_id), action="handback", reason=reason,
                    text=text or None)  # fmt: skip
    outcome = runner.record_answer(package.pk, answer, now=now)
    if not outcome.counted:
        raise _refused(outcome.why)


def hand_back_with_notice(
    packages: Sequence[Package], provider_id: int, ends: date, reason: str, text: str,
    now: datetime,
) -> None:  # fmt: skip
    """Several packages, care ending at the start of `ends` (London): all or none."""
    until = datetime.combine(ends, time(0), tzinfo=LONDON)
    with transaction.atomic():
        for package in packages:
            answer = Answer(at=now, provider=str(provider_id), action="handback_notice",
                            reason=reason, text=text or None, until=until)  # fmt: skip
            outcome = runner.record_answer(package.pk, answer, now=now)
            if not outcome.counted:
                raise _refused(outcome.why, package)  # rolls back every package


def _refused(why: str, package: Package | None = None) -> Refused:
    if why == CALL_TIMES_REFUSED:
        return Refused(
            "reason",
            "A preference about the call times only is not a handback: the placement goes "
            "on. Contact the council to talk about the call times",
        )
    if "days' notice" in why:
        return Refused("ends", f"The last day of care is too soon: {why} (nothing was handed back)")
    case = f"Package {package.case_number}: " if package is not None else ""
    return Refused("reason", f"{case}the council could not take this handback: {why}")
