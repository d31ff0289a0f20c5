"""Kent's reports (seed 003, docs/policies.md §5): the weekly Purchasing wash-up, the
monthly management report to the Area Management Team, and the weekly variation report.

What the seed asks each to show, and where it comes from here:

- **Weekly wash-up** ("delay in response from specific agencies; ... level of declines,
  inappropriate referrals"): per area the week's referrals, placements, unfilled packages,
  handbacks and declines; the declines; the providers slow to answer; the handbacks; the
  people waiting 10 or more working days at the week's end; the referrals returned as
  incomplete.
- **Monthly management report** ("all clients waiting more than 10 days will be reported
  in detail", handbacks, non-contracted placements, sanctions, the KEaH bypasser report):
  waiting 10+ days at the month's end, declines, handbacks, placements with non-contracted
  providers, sanctioned providers (approvals asked and decided, placements), referrals
  that bypassed enablement.
- **Weekly variation report** (providers notify changes to care delivered weekly): the
  week's changes to existing packages (increase, decrease, continuation) with the current
  provider and the hours.

Every section is one grouped query (or two): a report's query count does not grow with the
number of packages.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT

from carebroker.councils.models import Council
from carebroker.engine.vocabulary import LIVE
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.providers.models import Provider, ProviderKind
from carebroker.referrals.models import Document, Referral, ReferralStatus
from carebroker.reports.periods import Period
from carebroker.reports.report import Report
from carebroker.reports.tables import Table
from carebroker.reports.waiting import accepted_before, days_waiting
from carebroker.reports.words import reason_words, words
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

DOCUMENTS = dict(Document.choices)


def has_kent_reports(policy: object) -> bool:
    """Kent's reports go with a policy that has a waiting list and handbacks (the Kent
    preset's §5 rules); the other presets have neither."""
    return getattr(policy, "waiting_list", None) is not None and (
        getattr(policy, "handbacks", None) is not None
    )


def _moment(period: Period, now: datetime) -> datetime:
    return min(period.until, now)


def _provider_names(council: Council) -> dict[str, str]:
    return {
        str(pk): name
        for pk, name in Provider.objects.filter(council=council).values_list("pk", "name")
    }


# -- sections ---------------------------------------------------------------------------


def area_summary(council: Council, period: Period) -> Table:
    packages = Package.objects.filter(council=council)
    since, until = period.since, period.until
    counts: dict[str, Counter[str]] = {}

    def add(column: str, rows: QuerySet) -> None:
        for area, n in rows:
            counts.setdefault(area, Counter())[column] += n

    add(
        "referrals",
        packages.filter(referral__received_at__gte=since, referral__received_at__lt=until)
        .values_list("area__name")
        .annotate(n=Count("id"))
        .order_by(),
    )
    add(
        "placed",
        packages.filter(awarded_at__gte=since, awarded_at__lt=until)
        .values_list("area__name")
        .annotate(n=Count("id"))
        .order_by(),
    )
    for kind, area, n in (
        TimelineEvent.objects.filter(
            package__council=council, at__gte=since, at__lt=until,
            type__in=("unfilled", "handback", "gate_raised"),
        )
        .filter(~Q(type="gate_raised") | Q(details__gate="unable_to_fill"))
        .values_list("type", "package__area__name")
        .annotate(n=Count("id"))
        .order_by()
    ):  # fmt: skip
        counts.setdefault(area, Counter())["handback" if kind == "handback" else "unfilled"] += n
    add(
        "declines",
        SourcingRequest.objects.filter(
            package__council=council,
            outcome="decline",
            responded_at__gte=since,
            responded_at__lt=until,
        )
        .values_list("package__area__name")
        .annotate(n=Count("id"))
        .order_by(),
    )
    areas = list(council.areas.order_by("name").values_list("name", flat=True))
    columns = ("referrals", "placed", "unfilled", "handback", "declines")
    rows = [(area, *(counts.get(area, Counter())[c] for c in columns)) for area in areas]
    rows.append(("All areas", *(sum(r[i + 1] for r in rows) for i in range(len(columns)))))
    return Table(
        "areas",
        "Per area",
        ("Area", "Referrals in", "Placed", "Unfilled", "Handed back", "Declines"),
        rows,
        numeric=frozenset(range(1, 6)),
    )


def declines(council: Council, period: Period) -> Table:
    rows = (
        SourcingRequest.objects.filter(
            package__council=council,
            outcome="decline",
            responded_at__gte=period.since,
            responded_at__lt=period.until,
        )
        .order_by("responded_at", "package__case_number")
        .values_list("package__case_number", "package__area__name", "provider__name", "reason",
                     "responded_at")
    )  # fmt: skip
    return Table(
        "declines",
        "Declines",
        ("Mosaic ID", "Area", "Provider", "Reason", "Declined on"),
        [
            (case, area, provider, reason_words(reason), at.astimezone(LONDON).date())
            for case, area, provider, reason, at in rows
        ],
        empty="No provider declined in this period.",
    )


def slow_responses(council: Council, period: Period) -> Table:
    """Providers that answered after the deadline or not at all, most first."""
    answered = Q(responded_at__isnull=False)
    rows = (
        SourcingRequest.objects.filter(
            package__council=council, sent_at__gte=period.since, sent_at__lt=period.until
        )
        .values_list("provider__name")
        .annotate(
            sent=Count("id"),
            late=Count("id", filter=answered & Q(late=True)),
            silent=Count("id", filter=Q(outcome="expired")),
        )
        .order_by()
    )
    slow = [row for row in rows if row[2] or row[3]]
    slow.sort(key=lambda row: (-(row[2] + row[3]), row[0]))
    return Table(
        "slow",
        "Providers slow to answer",
        ("Provider", "Requests sent", "Answered after the deadline", "Not answered"),
        slow,
        numeric=frozenset({1, 2, 3}),
        empty="Every provider answered in time.",
    )


def handbacks(council: Council, period: Period) -> Table:
    names = _provider_names(council)
    rows = (
        TimelineEvent.objects.filter(
            package__council=council, type="handback", at__gte=period.since, at__lt=period.until
        )
        .order_by("at", "id")
        .values_list("package__case_number", "package__area__name", KT("details__provider"),
                     KT("details__reason"), "at")
    )  # fmt: skip
    return Table(
        "handbacks",
        "Handbacks",
        ("Mosaic ID", "Area", "Provider", "Reason", "Handed back on"),
        [
            (
                case,
                area,
                names.get(str(provider), "Not recorded"),
                reason_words(reason or ""),
                at.astimezone(LONDON).date(),
            )
            for case, area, provider, reason, at in rows
        ],
        empty="No package was handed back in this period.",
    )


def long_waits(council: Council, calendar: WorkingCalendar, at: datetime, days: int) -> Table:
    """People waiting `days` or more working days at `at`, longest first: counted from when
    each started waiting (`waiting_from`, sourcing/waiting_from.py: the acceptance, a
    self-funder's grace end, the last handback); a self-funder in its grace is not waiting."""
    before = accepted_before(calendar, at, days)
    rows = (
        Package.objects.filter(council=council, waiting_from__lt=before)
        .filter(Q(status__in=LIVE) | Q(awarded_at__gt=at))
        .select_related("person", "area")
        .order_by("waiting_from", "case_number")
    )
    return Table(
        "waiting",
        f"People waiting {days} or more working days",
        ("Mosaic ID", "Person", "Area", "Waiting since", "Working days waiting"),
        [
            (
                p.case_number,
                p.person.name,
                p.area.name,
                p.waiting_from.astimezone(LONDON).date(),
                days_waiting(calendar, p.waiting_from, at),
            )
            for p in rows
            if p.waiting_from is not None
        ],
        numeric=frozenset({4}),
        empty=f"Nobody had waited {days} working days or more.",
    )


def returned_referrals(council: Council, period: Period) -> Table:
    rows = (
        Referral.objects.filter(
            council=council,
            status=ReferralStatus.RETURNED,
            received_at__gte=period.since,
            received_at__lt=period.until,
        )
        .select_related("person")
        .order_by("received_at", "pk")
    )
    return Table(
        "returned",
        "Referrals returned as incomplete",
        ("Person", "Received", "Missing"),
        [
            (
                r.person.name,
                r.received_at.astimezone(LONDON).date(),
                "; ".join(DOCUMENTS.get(m, words(m)) for m in r.missing),
            )
            for r in rows
        ],
        empty="No referral was returned in this period.",
    )


def non_contracted(council: Council, period: Period) -> Table:
    rows = (
        Package.objects.filter(
            council=council,
            awarded_at__gte=period.since,
            awarded_at__lt=period.until,
            awarded_provider__kind=ProviderKind.NON_CONTRACTED,
        )
        .select_related("area", "awarded_provider")
        .order_by("awarded_at", "case_number")
    )
    return Table(
        "non_contracted",
        "Placements with non-contracted providers",
        ("Mosaic ID", "Area", "Provider", "Hours a week", "Placed on"),
        [
            (
                p.case_number,
                p.area.name,
                p.awarded_provider.name if p.awarded_provider else "",
                p.hours_per_week,
                p.awarded_at.astimezone(LONDON).date() if p.awarded_at else None,
            )
            for p in rows
        ],
        numeric=frozenset({3}),
        empty="No package was placed with a non-contracted provider in this period.",
    )


def sanctions(council: Council, period: Period) -> Table:
    """Approvals asked and decided to use a sanctioned provider (the sanction gate,
    docs/policies.md §3 Gates), and placements with a provider under sanction."""
    names = _provider_names(council)
    found: list[tuple[datetime, str, str, str]] = []
    for case, kind, provider, decision, at, placed_with in (
        TimelineEvent.objects.filter(
            package__council=council,
            at__gte=period.since,
            at__lt=period.until,
            type__in=("gate_raised", "gate_passed"),
            details__gate="sanction_approval",
        )
        .values_list("package__case_number", "type", KT("details__provider"),
                     KT("details__decision"), "at", "package__awarded_provider__name")
    ):  # fmt: skip
        what = (
            "Approval asked"
            if kind == "gate_raised"
            else f"Approval decided: {words(decision).lower() or 'recorded'}"
        )
        # The decision names no provider: it is the one the gate was raised for, or the
        # package's provider once placed.
        found.append((at, case, names.get(str(provider)) or placed_with or "", what))
    for case, provider, at in Package.objects.filter(
        council=council,
        awarded_at__gte=period.since,
        awarded_at__lt=period.until,
        awarded_provider__sanctioned=True,
    ).values_list("case_number", "awarded_provider__name", "awarded_at"):
        found.append((at, case, provider, "Placed with a provider under sanction"))
    found.sort()
    return Table(
        "sanctions",
        "Sanctioned providers",
        ("Mosaic ID", "Provider", "What happened", "On"),
        [(case, who, what, at.astimezone(LONDON).date()) for at, case, who, what in found],
        empty="No sanctioned provider was asked for or used in this period.",
    )


def enablement_bypasses(council: Council, period: Period) -> Table:
    rows = (
        Package.objects.filter(
            council=council,
            referral__bypassed_enablement=True,
            referral__received_at__gte=period.since,
            referral__received_at__lt=period.until,
        )
        .select_related("person", "area", "referral")
        .order_by("referral__received_at", "case_number")
    )
    return Table(
        "bypasses",
        "Referrals that bypassed enablement",
        ("Mosaic ID", "Person", "Area", "Received", "Team Manager approval"),
        [
            (
                p.case_number,
                p.person.name,
                p.area.name,
                p.referral.received_at.astimezone(LONDON).date(),
                "Yes" if Document.TEAM_MANAGER_APPROVAL in p.referral.documents else "No",
            )
            for p in rows
        ],
        empty="No referral bypassed enablement in this period.",
    )


def variations(council: Council, period: Period) -> Table:
    rows = (
        Package.objects.filter(
            council=council,
            change_to_existing=True,
            referral__received_at__gte=period.since,
            referral__received_at__lt=period.until,
        )
        .select_related("person", "area", "referral", "awarded_provider")
        .order_by("referral__received_at", "case_number")
    )
    return Table(
        "variations",
        "Changes to existing packages",
        ("Mosaic ID", "Person", "Area", "Provider", "Hours a week", "Received", "Status"),
        [
            (
                p.case_number,
                p.person.name,
                p.area.name,
                p.awarded_provider.name if p.awarded_provider else "Not placed yet",
                p.hours_per_week,
                p.referral.received_at.astimezone(LONDON).date(),
                p.get_status_display(),
            )
            for p in rows
        ],
        numeric=frozenset({4}),
        empty="No change to an existing package was asked for in this period.",
    )


# -- the reports ------------------------------------------------------------------------


def wash_up(
    council: Council, calendar: WorkingCalendar, period: Period, now: datetime, red_days: int
) -> Report:
    return Report(
        "wash-up",
        "Weekly Purchasing wash-up",
        period.words(),
        [
            area_summary(council, period),
            declines(council, period),
            slow_responses(council, period),
            handbacks(council, period),
            long_waits(council, calendar, _moment(period, now), red_days),
            returned_referrals(council, period),
        ],
        intro="For the Area Support Manager's weekly Purchasing wash-up meeting and the "
        "written report to the Area Management Team.",
    )


def management_report(
    council: Council, calendar: WorkingCalendar, period: Period, now: datetime, red_days: int
) -> Report:
    return Report(
        "management",
        "Monthly management report",
        period.words(),
        [
            long_waits(council, calendar, _moment(period, now), red_days),
            declines(council, period),
            handbacks(council, period),
            non_contracted(council, period),
            sanctions(council, period),
            enablement_bypasses(council, period),
        ],
        intro="Purchasing activity for the Area Management Team: everyone waiting "
        f"{red_days} or more working days at the end of the month, in detail.",
    )


def variation_report(council: Council, period: Period) -> Report:
    return Report(
        "variations",
        "Weekly variation report",
        period.words(),
        [variations(council, period)],
        intro="Increases, decreases and continuations of existing packages asked for in the "
        "week, with the provider delivering the care.",
    )
