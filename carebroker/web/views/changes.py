"""A broker's "what changed since I last looked" (issue 10, beyond the findings).

What providers answered, what ran out and what waits for the council, on the council's
packages since the user last opened this page. "Last looked" is kept in the session: it
starts at the sign-in, so a new session shows the last working day's changes at most.
The header shows the count (`changes/count/`, refreshed by htmx every minute).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebroker.providers.models import Provider
from carebroker.sourcing.models import TimelineEvent
from carebroker.web.views.access import STAFF, role_required, the_user
from carebroker.web.words import event_details

SEEN = "changes_seen_at"
FIRST_LOOK = timedelta(days=1)  # with nothing in the session: the last day
SHOWN = 200
GROUPS = {
    "answers": (
        "Providers answered",
        ("offer", "decline", "interest", "accept", "considering", "query", "assessment"),
    ),
    "ran_out": (
        "Ran out",
        ("request_expired", "stage_ended", "round_ended", "unfilled", "assessment_expired"),
    ),
    "needs_you": (
        "Needs the council",
        ("gate_raised", "gate_returned", "referral_received", "handback", "waiting_list_rag"),
    ),
}
TYPES = tuple(t for _, types in GROUPS.values() for t in types)


def _since(request: HttpRequest, now: datetime) -> datetime:
    seen = request.session.get(SEEN)
    if seen:
        return datetime.fromisoformat(seen)
    return now - FIRST_LOOK


def _changes(request: HttpRequest, since: datetime) -> QuerySet[TimelineEvent]:
    user = the_user(request)
    return TimelineEvent.objects.filter(
        package__council_id=user.council_id, type__in=TYPES, at__gt=since
    )


@require_GET
@role_required(*STAFF)
def changes_page(request: HttpRequest) -> HttpResponse:
    """The changes since the last look, grouped; opening the page marks them seen."""
    user = the_user(request)
    assert user.council is not None
    now = timezone.now()
    since = _since(request, now)
    events = list(_changes(request, since).select_related("package").order_by("-at", "-id")[:SHOWN])
    names = dict(Provider.objects.filter(council_id=user.council_id).values_list("pk", "name"))
    policy_name = user.council.policy_name
    groups = []
    for key, (title, types) in GROUPS.items():
        lines = [
            (event, event_details(event.type, event.details or {}, names, policy_name))
            for event in events
            if event.type in types
        ]
        groups.append({"key": key, "title": title, "lines": lines})
    request.session[SEEN] = now.isoformat()
    return render(
        request,
        "web/changes/page.html",
        {"groups": groups, "since": since, "total": len(events), "now": now},
    )


@require_GET
@role_required(*STAFF)
def changes_count(request: HttpRequest) -> HttpResponse:
    """The header's count (an htmx fragment)."""
    count = _changes(request, _since(request, timezone.now())).count()
    return render(request, "web/changes/_count.html", {"count": count})
