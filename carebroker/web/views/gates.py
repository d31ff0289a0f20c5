"""Gates waiting for someone (docs/policies.md §3): who must act, and their decision.

The policy names who decides each gate (`[gates.<name>] decided_by`): a manager's gate is
decided by a manager, a broker's by a broker or a manager, a referrer's by the referrer of
the package's referral (`holds/<Mosaic ID>/`). Each decision is `runner.do_council`.
A sanctioned provider (Kent §5.2) is approved by a manager for one package at a time.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carebroker.accounts.models import Role, User
from carebroker.audit.record import viewed
from carebroker.engine.inputs import Decision
from carebroker.engine.policy import Policy
from carebroker.engine.vocabulary import LIVE
from carebroker.providers.declines import decline_words
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest
from carebroker.sourcing.runner import do_council
from carebroker.web.forms.gates import APPROVALS, GateDecisionForm
from carebroker.web.summaries import GATE_OWNERS
from carebroker.web.views.access import (
    REFERRERS,
    STAFF,
    _get_package_for_user,
    _get_referrer_package,
    _packages_for_user,
    posted,
    role_required,
    the_user,
)
from carebroker.web.views.outcomes import SERVICE_ERRORS, tell
from carebroker.web.waiting_days import policy_and_calendar, waiting_rows
from carebroker.web.words import owner_words, terms_of

PER_PAGE = 50
OWNERS = ("manager", "broker", "referrer")


def decided_by(policy: Policy, gate: str) -> str:
    """manager | broker | referrer: who the policy says decides `gate`."""
    rule = policy.gate(gate)
    if rule is not None:
        return rule.decided_by
    fallback = {"Area support manager": "manager", "Broker": "broker", "Referrer": "referrer"}
    return fallback.get(GATE_OWNERS.get(gate, ""), "manager")


def may_decide(user: User, who: str) -> bool:
    if who == "manager":
        return user.role == Role.MANAGER
    if who == "broker":
        return user.role in STAFF
    return user.role == Role.REFERRER


@require_GET
@role_required(*STAFF)
def gate_list(request: HttpRequest) -> HttpResponse:
    """Packages waiting at a gate, longest waiting first, with who must act."""
    user = the_user(request)
    council = user.council
    assert council is not None
    policy, _ = policy_and_calendar(council)
    policy_name = council.policy_name
    owner = request.GET.get("owner", "")
    rows = (
        _packages_for_user(user)
        .filter(status=PackageStatus.ON_HOLD)
        .exclude(gate="")
        .select_related("area", "referral", "referral__referrer")
        .order_by("referral__received_at", "case_number")
    )
    if owner in OWNERS:
        gates = set(rows.order_by().values_list("gate", flat=True).distinct())
        rows = rows.filter(gate__in=[g for g in gates if decided_by(policy, g) == owner])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    lines = []
    for package in page.object_list:
        who = decided_by(policy, package.gate)
        lines.append((package, owner_words(who, policy_name), may_decide(user, who)))
    return render(
        request,
        "web/gates/list.html",
        {
            "page": page,
            "lines": lines,
            "owner": owner,
            "owners": {who: owner_words(who, policy_name) for who in OWNERS},
            "query": f"owner={owner}" if owner else "",
        },
    )


def _offerers(package: Package) -> QuerySet[Provider]:
    return Provider.objects.filter(
        council_id=package.council_id, requests__package=package, requests__outcome="offer"
    ).distinct()


def sanctioned_here(package: Package) -> QuerySet[Provider]:
    """Sanctioned providers serving the package's area (Kent docs/policies.md §5.2): those a
    manager may approve for it; the others would never be asked anyway."""
    return Provider.objects.filter(
        council_id=package.council_id, sanctioned=True, area_ranks__area=package.area_id
    ).order_by("name")


def _decision(
    user_role: str,
    gate: str,
    choice: str,
    provider: Provider | None,
    now: datetime,
    reason: str = "",
) -> Decision:
    pid = str(provider.pk) if provider else None
    if gate in APPROVALS and choice == "approve":
        return Decision(at=now, actor=user_role, action="approve", gate=gate, provider=pid)
    return Decision(
        at=now,
        actor=user_role,
        action="decide",
        gate=gate,
        choice=choice,
        provider=pid,
        reason=reason.strip() or None,
    )


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def gate_page(request: HttpRequest, case_number: str) -> HttpResponse:
    """A decision page: what the gate asks, the package, the offers and declines so far, and
    the decision (approve, refuse, or return with a reason) for who may take it. Kent's
    managers may also approve a sanctioned provider serving the package's area."""
    user = the_user(request)
    package = _get_package_for_user(user, case_number)
    if request.method == "GET":
        viewed(request, "the decision page", package)
    council = package.council
    policy, calendar = policy_and_calendar(council)
    terms = terms_of(council.policy_name)
    now = timezone.now()
    gate = package.gate if package.status == PackageStatus.ON_HOLD else ""
    who = decided_by(policy, gate) if gate else ""
    sanctioned = sanctioned_here(package)
    sanction_open = (
        user.role == Role.MANAGER
        and policy.gate("sanction_approval") is not None
        and package.status in LIVE
        and sanctioned.exists()
    )
    posted = request.POST.get("form") if request.method == "POST" else None
    gate_form = GateDecisionForm(
        request.POST if posted == "gate" else None,
        gate=gate,
        providers=_offerers(package),
        brokers=terms.brokers,
        may_return=who == "manager",
        prefix="gate",
    )
    sanction_form = GateDecisionForm(
        request.POST if posted == "sanction" else None,
        gate="sanction_approval",
        providers=sanctioned,
        prefix="sanction",
    )
    if posted == "gate":
        if not gate or not may_decide(user, who):
            raise PermissionDenied("The policy gives this decision to someone else.")
        form, deciding = gate_form, gate
    elif posted == "sanction":
        if not sanction_open:
            raise PermissionDenied("Only a manager approves a sanctioned provider.")
        form, deciding = sanction_form, "sanction_approval"
    else:
        form, deciding = None, ""
    if form is not None and form.is_valid():
        data = form.cleaned_data
        decision = _decision(
            user.role, deciding, data["choice"], data.get("provider"), now, data.get("reason", "")
        )
        try:
            outcome = do_council(package, decision, now=now, actor=user.get_username())
        except SERVICE_ERRORS as error:
            form.add_service_error(error)
        else:
            tell(request, f"Decision recorded for package {package.case_number}.", outcome)
            return redirect("package", case_number=package.case_number)
    answered = [r for r in _requests(package) if r.outcome not in ("open", "considering")]
    returns = package.timeline.filter(type="gate_returned").order_by("-id")[:3]
    context = {
        "package": package,
        "person": package.person,
        "gate": gate,
        "who": owner_words(who, council.policy_name) if who else "",
        "may_decide": bool(gate) and may_decide(user, who),
        "gate_form": gate_form,
        "sanction_open": sanction_open,
        "sanction_form": sanction_form,
        "offers": _with_parts(package, [r for r in answered if r.outcome == "offer"]),
        "answered": answered,
        "returns": returns,
        "waiting": waiting_rows([package], calendar, policy.waiting_list, now)[0],
        "terms": terms,
        "now": now,
    }
    status = 400 if form is not None else 200
    return render(request, "web/gates/page.html", context, status=status)


def _requests(package: Package) -> list[SourcingRequest]:
    return list(
        SourcingRequest.objects.filter(package=package).select_related("provider").order_by("seq")
    )


def _offers(package: Package) -> list[SourcingRequest]:
    return _with_parts(package, [r for r in _requests(package) if r.outcome == "offer"])


def _with_parts(package: Package, offers: list[SourcingRequest]) -> list[SourcingRequest]:
    """Each part offer with which part it covers (`part`: the days or sessions the provider
    named, kept on the engine's offer event), so whoever decides sees what is on offer."""
    parts: dict[str, str] = {}
    for details in (
        package.timeline.filter(type="offer").order_by("id").values_list("details", flat=True)
    ):
        if details.get("part"):
            parts[str(details.get("provider"))] = str(details["part"])
    for row in offers:
        row.part = parts.get(str(row.provider_id), "")  # type: ignore[attr-defined]
    return offers


@require_http_methods(["GET", "POST"])
@role_required(*REFERRERS)
def hold_page(request: HttpRequest, case_number: str) -> HttpResponse:
    """A referrer answers a hold on one of their own packages (part offer, unable to fill)."""
    user = the_user(request)
    package = _get_referrer_package(user, case_number)
    policy, _ = policy_and_calendar(package.council)
    gate = package.gate if package.status == PackageStatus.ON_HOLD else ""
    waiting_for_me = bool(gate) and decided_by(policy, gate) == "referrer"
    form = GateDecisionForm(
        posted(request),
        gate=gate,
        providers=Provider.objects.none(),
        prefix="hold",
    )
    status = 200
    if request.method == "POST":
        if not waiting_for_me:
            raise PermissionDenied("This package is not waiting for your decision.")
        status = 400
        if form.is_valid():
            now = timezone.now()
            decision = _decision("referrer", gate, form.cleaned_data["choice"], None, now)
            try:
                outcome = do_council(package, decision, now=now, actor=user.get_username())
            except SERVICE_ERRORS as error:
                form.add_service_error(error)
            else:
                done = f"Your decision on package {package.case_number} is recorded."
                tell(request, done, outcome)
                return redirect("my_referrals")
    context = {
        "package": package,
        "gate": gate,
        "waiting_for_me": waiting_for_me,
        "form": form,
        "offers": _offers(package) if gate == "part_offer" else [],
        "reasons": _decline_reasons(package) if gate == "unable_to_fill" else [],
    }
    return render(request, "web/gates/hold.html", context, status=status)


def _decline_reasons(package: Package) -> list[str]:
    """§6.5: the worker gets the reasons providers gave (no provider named)."""
    reasons = SourcingRequest.objects.filter(package=package).exclude(reason="")
    return sorted({decline_words(r) for r in reasons.values_list("reason", flat=True)})
