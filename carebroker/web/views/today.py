"""A broker's and a manager's "today" (issue 11): every step due or overdue in their
council, sorted by due time with its RAG, each linking to the page that clears it; the
header shows how many (an htmx fragment, like "What changed").

The steps: Kent's Provider Confirmation Forms, Service Delivery Orders and financial
assessments (sourcing/after_award.py), gates waiting for a decision, referrals waiting for
a broker's check and referrals returned to their referrer. RAG: red when overdue, amber when
due today (London), green when later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.accounts.models import User
from carebroker.lib.london import LONDON
from carebroker.referrals.models import Referral, ReferralStatus
from carebroker.sourcing.after_award import open_steps
from carebroker.sourcing.models import Package, PackageStatus, TimelineEvent
from carebroker.web.views.access import STAFF, _packages_for_user, role_required, the_user
from carebroker.web.words import gate_question


@dataclass(frozen=True)
class Step:
    due: datetime
    what: str
    case: str
    link: str
    rag: str  # red | amber | green

    @property
    def rag_words(self) -> str:
        return {"red": "Overdue", "amber": "Due today", "green": "Due later"}[self.rag]


def _rag(due: datetime, now: datetime) -> str:
    if due <= now:
        return "red"
    return "amber" if due.astimezone(LONDON).date() == now.astimezone(LONDON).date() else "green"


def steps_for(user: User, now: datetime) -> list[Step]:
    """Every step due for the user's council, soonest first."""
    packages = _packages_for_user(user)
    found: list[Step] = []
    awarded = packages.filter(status=PackageStatus.AWARDED).only("pk", "case_number")
    rows_by_package: dict[int, list[TimelineEvent]] = {}
    timeline = TimelineEvent.objects.filter(package__in=awarded).only(
        "package_id", "type", "details", "at"
    )
    for row in timeline.order_by("package_id", "id"):
        rows_by_package.setdefault(row.package_id, []).append(row)
    for package in awarded:
        page = reverse("package", args=[package.case_number]) + "#after-award"
        for step in open_steps(rows_by_package.get(package.pk, [])):
            what = step.clock.words[:1].upper() + step.clock.words[1:]
            found.append(Step(step.due, what, package.case_number, page, _rag(step.due, now)))
    gates = packages.filter(status=PackageStatus.ON_HOLD).exclude(gate="")
    for package in gates.only("pk", "case_number", "gate"):
        raised = (
            TimelineEvent.objects.filter(package=package, type="gate_raised")
            .order_by("-id")
            .values_list("at", flat=True)
            .first()
        ) or now
        link = reverse("gate", args=[package.case_number])
        what = f"Decide: {gate_question(package.gate)}"
        found.append(Step(raised, what, package.case_number, link, _rag(raised, now)))
    referrals = Referral.objects.filter(
        council_id=user.council_id,
        status__in=(ReferralStatus.RECEIVED, ReferralStatus.RETURNED),
    ).only("pk", "status", "received_at")
    cases = dict(
        Package.objects.filter(referral__in=referrals).values_list("referral_id", "case_number")
    )
    for referral in referrals:
        case = cases.get(referral.pk, f"referral {referral.pk}")
        what = (
            "Check the referral"
            if referral.status == ReferralStatus.RECEIVED
            else "Returned to the referrer: follow it up"
        )
        link = reverse("referral", args=[referral.pk])
        found.append(Step(referral.received_at, what, case, link, _rag(referral.received_at, now)))
    return sorted(found, key=lambda step: (step.due, step.case))


@require_GET
@role_required(*STAFF)
def today_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    steps = steps_for(the_user(request), now)
    return render(request, "web/today/page.html", {"steps": steps, "now": now})


@require_GET
@role_required(*STAFF)
def today_count(request: HttpRequest) -> HttpResponse:
    """The header's count of steps due now or overdue (an htmx fragment)."""
    now = timezone.now()
    count = sum(1 for step in steps_for(the_user(request), now) if step.rag != "green")
    return render(request, "web/today/_count.html", {"count": count})
