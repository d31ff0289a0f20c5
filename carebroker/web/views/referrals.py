"""Referrals: a referrer submits one and follows their own; a broker checks them.

The referrer's submission is saved as received (the person's full record, the referral,
its package); the broker's check runs the council's policy (`sourcing.intake`): the
referral is returned naming exactly the missing documents, or accepted and its package
enters sourcing. A returned referral resubmitted with more documents is checked again at
once (`do_resubmit_referral`).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebroker.accounts.models import Role, User
from carebroker.audit.record import viewed
from carebroker.referrals.models import Document, Referral, ReferralStatus
from carebroker.sourcing.corrections import Correction, do_correct_referral, do_return_referral
from carebroker.sourcing.intake import (
    check_referral,
    do_receive_referral,
    do_submit_referral,
    missing_documents,
)
from carebroker.sourcing.models import Package
from carebroker.web.forms.referrals import CheckForm, ReferralForm, ResubmitForm, ReturnForm
from carebroker.web.referral_progress import progress_of
from carebroker.web.summaries import GATE_OWNERS
from carebroker.web.views.access import (
    REFERRERS,
    STAFF,
    _get_referral_for_user,
    _referrals_for_user,
    posted,
    role_required,
    the_user,
)
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.waiting_days import today_in_london

PER_PAGE = 50
# A list's packages without the engine's snapshot (15 kB each), which no list shows.
LIST_PACKAGES = Prefetch("packages", queryset=Package.objects.defer("engine_state"))
DOCUMENT_LABELS = dict(Document.choices)
REFERRER_GATES = {gate for gate, owner in GATE_OWNERS.items() if owner == "Referrer"}


def _labels(names: list[str]) -> list[str]:
    return [DOCUMENT_LABELS.get(name, name) for name in names]


# -- the referrer's -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*REFERRERS)
def new_referral(request: HttpRequest) -> HttpResponse:
    user = the_user(request)
    council = user.council
    assert council is not None
    now = timezone.now()
    form = ReferralForm(
        posted(request),
        council=council,
        today=today_in_london(now),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = do_receive_referral(user, form, now)
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(
                request,
                f"Referral for {referral.person.name} sent: the brokerage team will check it.",
            )
            return redirect("referral", pk=referral.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/referrals/new.html", {"form": form}, status=status)


@require_GET
@role_required(*REFERRERS)
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrer's own referrals, newest first, with what is missing and any hold to answer."""
    user = the_user(request)
    rows = (
        _referrals_for_user(user)
        .select_related("person")
        .prefetch_related(LIST_PACKAGES)
        .order_by("-received_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/referrals/mine.html",
        {
            "page": page,
            "referrals": [(r, _labels(r.missing or [])) for r in page.object_list],
            "referrer_gates": REFERRER_GATES,
        },
    )


# -- the broker's ---------------------------------------------------------------------


@require_GET
@role_required(*STAFF)
def referrals_to_check(request: HttpRequest) -> HttpResponse:
    """Referrals received and not yet checked, and those returned with what they miss."""
    user = the_user(request)
    rows = (
        _referrals_for_user(user)
        .filter(status__in=(ReferralStatus.RECEIVED, ReferralStatus.RETURNED))
        .select_related("person", "referrer")
        .prefetch_related(LIST_PACKAGES)
        .order_by("status", "received_at", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/referrals/to_check.html",
        {"page": page, "referrals": [(r, _labels(r.missing or [])) for r in page.object_list]},
    )


@require_GET
@role_required(*STAFF, *REFERRERS)
def referral_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = the_user(request)
    referral = _get_referral_for_user(user, pk)
    viewed(request, "the referral page", referral)
    return _render_referral(request, user, referral)


def _render_referral(
    request: HttpRequest,
    user: User,
    referral: Referral,
    status: int = 200,
    check_form: CheckForm | None = None,
    resubmit_form: ResubmitForm | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    packages = list(referral.packages.select_related("area", "awarded_provider").order_by("pk"))
    would_miss: list[str] = []
    if user.role in STAFF and referral.status == ReferralStatus.RECEIVED:
        would_miss = _labels(missing_documents(referral))  # what the check will find
    return render(
        request,
        "web/referrals/page.html",
        {
            "referral": referral,
            "person": referral.person,
            "packages": packages,
            "documents": _labels(referral.documents or []),
            "missing": _labels(referral.missing or []),
            "would_miss": would_miss,
            "is_staff_user": user.role in STAFF,
            "is_referrer": user.role == Role.REFERRER,
            "referrer_gates": REFERRER_GATES,
            "check_form": check_form or CheckForm(),
            "resubmit_form": resubmit_form or _resubmit_form(referral, packages),
            "return_form": return_form or ReturnForm(),
            "progress": [(package, progress_of(referral, package)) for package in packages],
        },
        status=status,
    )


@require_POST
@role_required(*STAFF)
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the referral against the policy: accepted into sourcing, or returned."""
    user = the_user(request)
    referral = _get_referral_for_user(user, pk)
    form = CheckForm(request.POST)
    form.is_valid()
    try:
        check_referral(user, referral)
        result = do_submit_referral(referral, timezone.now())
    except SERVICE_ERRORS as error:
        form.add_service_error(error)
        return _render_referral(request, user, referral, 400, check_form=form)
    waiting = [
        p
        for p in referral.packages.order_by("pk")
        if p.status == "held" and not p.view_confirmed_at
    ]
    if result.status == ReferralStatus.ACCEPTED and waiting:
        # docs/policies.md §6.2: no provider is asked until a broker confirms what they see.
        tell(request, f"Referral accepted. Check what providers will see of package "
             f"{waiting[0].case_number}: no provider is asked until you confirm it.")  # fmt: skip
        return redirect("package_provider_view", case_number=waiting[0].case_number)
    if result.status == ReferralStatus.ACCEPTED:
        tell(request, f"Referral accepted: package {', '.join(result.packages)} is being sourced.")
    else:
        missing = ", ".join(_labels(list(result.missing)))
        tell(request, f"Referral returned to the referrer: missing {missing}.")
    return redirect("referral", pk=referral.pk)


@require_POST
@role_required(*STAFF)
def return_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a referral not yet checked to its referrer, saying what is wrong or unclear."""
    user = the_user(request)
    referral = _get_referral_for_user(user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            do_return_referral(user, referral, form.cleaned_data["reason"], timezone.now())
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(request, "Referral returned to the referrer with your reason.")
            return redirect("referral", pk=referral.pk)
    return _render_referral(request, user, referral, 400, return_form=form)


@require_POST
@role_required(*STAFF, *REFERRERS)
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral corrected (documents, hours, start date, needs) while it waits for a
    broker's check, or after a return: sent again, back to the brokers to check when it was
    returned with a reason, else checked at once. A checked referral is refused, in words."""
    user = the_user(request)
    referral = _get_referral_for_user(user, pk)
    now = timezone.now()
    form = ResubmitForm(request.POST, council=referral.council, today=today_in_london(now))
    if form.is_valid():
        data = form.cleaned_data
        package = referral.packages.order_by("pk").first()
        correction = Correction(
            documents=list(data["documents"]) if "documents" in form.fields else None,
            hours_per_week=data.get("hours_per_week"),
            preferred_start=data.get("preferred_start"),
            needs=data.get("needs") or None,
            changed=form.changed(package, referral.person.needs),
        )
        waiting = referral.status == ReferralStatus.RECEIVED
        try:
            result = do_correct_referral(user, referral, correction, now)
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            if waiting:
                tell(request, "Referral corrected: it is still waiting for a broker to check it.")
            elif result.status == ReferralStatus.ACCEPTED:
                tell(request, "Referral accepted: the package is being sourced.")
            elif result.status == ReferralStatus.RECEIVED:
                tell(request, "Referral sent again: it is waiting for a broker to check it.")
            else:
                missing = ", ".join(_labels(list(result.missing)))
                tell(request, f"Referral still incomplete: missing {missing}.")
            return redirect("referral", pk=referral.pk)
    return _render_referral(request, user, referral, 400, resubmit_form=form)


def _resubmit_form(referral: Referral, packages: list[Package]) -> ResubmitForm:
    first = packages[0] if packages else None
    initial = {
        "documents": referral.documents,
        "needs": referral.person.needs,
        "hours_per_week": first.hours_per_week if first else None,
        "preferred_start": first.preferred_start if first else None,
    }
    return ResubmitForm(
        initial=initial, council=referral.council, today=today_in_london(timezone.now())
    )
