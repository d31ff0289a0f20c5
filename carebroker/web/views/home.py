"""The web pages. Thin: what each page shows comes from `carebroker.web.summaries`."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carebroker.accounts.models import Role, User
from carebroker.web import summaries
from carebroker.web.views.gates import decided_by
from carebroker.web.waiting_days import policy_and_calendar
from carebroker.web.words import owner_words

REFERRALS_SHOWN = 20
ON_HOLD_SHOWN = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page per role, showing only the user's own council."""
    user = request.user
    assert isinstance(user, User)
    if user.council_id is None:
        # Only a superuser has no council (accounts.User.clean): the admin is their home.
        return render(request, "web/home/administrator.html")
    context: dict[str, object] = {"council": user.council}
    if user.role in (Role.BROKER, Role.MANAGER):
        context["status_counts"] = summaries.packages_by_status(user.council)
        context["waiting"] = summaries.packages_waiting(user.council)
    if user.role == Role.MANAGER:
        on_hold = summaries.packages_on_hold(user.council)
        context["on_hold_count"] = on_hold.count()
        policy, _ = policy_and_calendar(user.council)
        policy_name = user.council.policy_name
        context["on_hold"] = [
            (package, owner_words(decided_by(policy, package.gate), policy_name))
            for package in on_hold[:ON_HOLD_SHOWN]
        ]
    if user.role == Role.REFERRER:
        referrals = summaries.referrals_of(user)
        context["referral_count"] = referrals.count()
        context["referrals"] = referrals[:REFERRALS_SHOWN]
    if user.role == Role.PROVIDER:
        provider = summaries.provider_of(user)
        context["provider"] = provider
        context["awards"] = summaries.awards_to(provider) if provider else 0
    return render(request, f"web/home/{user.role}.html", context)
