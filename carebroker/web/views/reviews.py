"""Placements' reviews (PIR, docs/policies.md §5 Reviews): the council's list of reviews
due and overdue, and the form that records a review's outcome on a package. Thin: the
list and the write are in `sourcing/reviews.py`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carebroker.accounts.models import User
from carebroker.engine.reviews import OUTCOMES, review_date
from carebroker.engine.state import Event
from carebroker.lib.london import london_date
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.reviews import do_review, due_reviews
from carebroker.web.forms.reviews import ReviewForm
from carebroker.web.views.access import STAFF, posted, role_required, the_user, with_package
from carebroker.web.views.outcomes import tell
from carebroker.web.words import terms_of


@require_GET
@role_required(*STAFF)
def review_list(request: HttpRequest) -> HttpResponse:
    user = the_user(request)
    council = user.council
    assert council is not None
    today = london_date(timezone.now())
    rows = due_reviews(council, today)
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("overdue", "due")}
    return render(
        request,
        "web/reviews/list.html",
        {"rows": rows, "counts": counts, "today": today, "terms": terms_of(council.policy_name)},
    )


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
@with_package
def record_review(request: HttpRequest, user: User, package: Package) -> HttpResponse:
    now = timezone.now()
    form = ReviewForm(posted(request))
    events = [
        Event(at, type_, details or {})
        for at, type_, details in TimelineEvent.objects.filter(
            package=package,
            type__in=("review_due", "reviewed", "returned_to_list", "placement_ended", "handback"),
        )
        .order_by("at", "pk")
        .values_list("at", "type", "details")
    ]
    due = review_date(events) if package.status == "awarded" else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refused = do_review(user, package, data["outcome"], data["hours_per_week"],
                                data["notes"], now)  # fmt: skip
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if not refused:
                words = OUTCOMES[data["outcome"]].lower()
                tell(request, f"Package {package.case_number}: review recorded ({words}); "
                     "the referrer is told.")  # fmt: skip
                return redirect("package", case_number=package.case_number)
            form.add_error("outcome", f"The review was not recorded: {refused[0]}")
    return render(
        request,
        "web/reviews/record.html",
        {"package": package, "form": form, "due": due},
        status=400 if form.errors else 200,
    )
