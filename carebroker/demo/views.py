"""The administrator's demo clock: where the demo's time is, and "advance to the next event"
(carebroker/demo/clock.py). Only a superuser, and only in a demo started by `carebroker demo`."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from carebroker.demo import clock

STEP_PAST = timedelta(minutes=1)  # just after the event, so the worker's sweep finds it due


@login_required
@require_http_methods(["GET", "POST"])
def clock_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied("Only an administrator moves the demo clock.")
    now = timezone.now()
    upcoming = clock.next_event(now) if clock.active() else None
    if request.method == "POST":
        if not clock.active():
            raise PermissionDenied("The demo clock runs only in `carebroker demo`.")
        if upcoming is None:
            messages.info(request, "Nothing is due: no package has a clock running.")
        else:
            clock.set_now(upcoming + STEP_PAST)
            messages.success(request, "The demo clock moved to the next event.")
        return redirect("demo_clock")
    return render(
        request,
        "demo/clock.html",
        {"active": clock.active(), "now": now, "upcoming": upcoming},
    )
