"""The countersign section of a Leicestershire package page (seed 004 step 24): the signed
IPA waiting, the start date to check, the button; and the IPA's versions so far."""

from __future__ import annotations

from datetime import date
from typing import Any

from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.lib.london import LONDON
from carebroker.placements.documents.facts import start_date
from carebroker.placements.ipa_loop import has_ipa_loop, to_countersign, versions
from carebroker.placements.models import DocumentKind
from carebroker.sourcing.models import Package


class CountersignForm(GovukForm):
    start = GovukDateField(
        noun="the start date",
        label="Start date agreed with the provider",
        help_text="Check it with the provider and the family before you countersign. "
        "For example, 11 1 2027",
        error_messages={"required": "Enter the start date agreed with the provider"},
    )


def countersign_section(package: Package, now: Any, form: CountersignForm | None) -> dict | None:
    """What the page shows of the IPA loop; None where the council has none or no award."""
    if package.awarded_provider is None or not has_ipa_loop(package):
        return None
    waiting = to_countersign(package)
    if form is None and waiting is not None:
        form = CountersignForm(prefix="countersign", initial={"start": _suggested(package, now)})
    return {
        "waiting": waiting,
        "form": form,
        "signed": versions(package, DocumentKind.SIGNED_IPA),
        "countersigned": versions(package, DocumentKind.COUNTERSIGNED_IPA),
    }


def _suggested(package: Package, now: Any) -> date | None:
    assert package.awarded_provider is not None
    start = start_date(package, package.awarded_provider, None)
    return start if start >= now.astimezone(LONDON).date() else None
