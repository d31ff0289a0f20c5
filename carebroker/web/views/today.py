"""A broker's and a manager's "today" (issue 11): every step due or overdue in their
council, sorted by due time with its RAG, each linking to the page that clears it; the
header shows how many (an htmx fragment, like "What changed").

The steps: Kent's Provider Confirmation Forms, Service Delivery Orders and financial
assessments (sourcing/after_award.py), gates waiting for a decision, referrals waiting for
a broker's check and referrals returned to their referrer; handbacks (the Area Support
Manager's call with a provider that handed several packages back, and each package handed
back and not placed again: sourcing/handback_tasks.py); and reviews due or overdue
(sourcing/reviews.py). RAG: red when overdue, amber when due today (London), green when
later.

A review is due by the end of its last day (London), so it is amber on that day and red
after it, as the Reviews page calls it overdue; one whose window is open and whose last day
is later is listed green. A package handed back is due at once (its handback): it stays red
until it is awarded again, as the seed asks for it to be placed again straight away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.accounts.models import User
from carebroker.engine.vocabulary import EventType
from carebroker.lib.london import LONDON
from carebroker.referrals.models import Referral, ReferralStatus
from carebroker.sourcing.after_award import open_steps
from carebroker.sourcing.handback_tasks import TYPES as HANDBACK_TYPES
from carebroker.sourcing.handback_tasks import handed_back_at, open_call
from carebroker.sourcing.models import Package, PackageStatus, TimelineEvent
from carebroker.sourcing.reviews import due_reviews
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
    found.extend(_handbacks(packages, now))
    found.extend(_reviews(user, now))
    return sorted(found, key=lambda step: (step.due, step.case))


def _handbacks(packages: QuerySet[Package], now: datetime) -> list[Step]:
    """The manager's call after several packages handed back, and each package handed back
    and not placed again (sourcing/handback_tasks.py); one query for all of them."""
    handed = TimelineEvent.objects.filter(
        package__in=packages,
        type__in=(EventType.HANDBACK, EventType.HANDBACK_CALL_DUE),
    ).values("package_id")
    rows_by_package: dict[int, list[TimelineEvent]] = {}
    timeline = (
        TimelineEvent.objects.filter(package_id__in=handed, type__in=HANDBACK_TYPES)
        .select_related("package")
        .only("package_id", "type", "details", "at", "package__case_number", "package__status")
        .order_by("package_id", "at", "id")
    )
    for row in timeline:
        rows_by_package.setdefault(row.package_id, []).append(row)
    found = []
    for rows in rows_by_package.values():
        package = rows[0].package
        page = reverse("package", args=[package.case_number])
        call = open_call(rows)
        if call is not None:
            what = "Call the provider about the packages it hands back"
            link = f"{page}#handback-call"
            found.append(Step(call.due, what, package.case_number, link, _rag(call.due, now)))
        handed_back = handed_back_at(rows, package.status)
        if handed_back is not None:
            what = "Handed back: place the package again"
            found.append(Step(handed_back, what, package.case_number, page, "red"))
    return found


def _reviews(user: User, now: datetime) -> list[Step]:
    """Reviews due or overdue (the Reviews page's), each due by the end of its last day."""
    if user.council is None:
        return []
    found = []
    for review in due_reviews(user.council, now.astimezone(LONDON).date()):
        if review.state == "upcoming":
            continue
        due = datetime.combine(review.date.due, time(23, 59), tzinfo=LONDON)
        case = review.package.case_number
        link = reverse("package_review", args=[case])
        what = "Hold the review of the placement"
        found.append(Step(due, what, case, link, _rag(due, now)))
    return found


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
