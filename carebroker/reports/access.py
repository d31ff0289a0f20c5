"""Who may open the reports: a council's managers and brokers (docs/architecture.md §8:
managers see all brokers see; the pages only read, so brokers read them too)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.reports.replica import replica_reads

STAFF = (Role.MANAGER, Role.BROKER)

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in (else the sign-in page), active, a broker or manager of a council (else 403)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            not isinstance(user, User)
            or not user.is_active
            or user.council_id is None
            or user.role not in STAFF
        ):
            raise PermissionDenied("Your role cannot open this page.")
        # Past the check (the user and the session came from the primary), the report's
        # own reads go to the read replica when there is one (reports/replica.py).
        with replica_reads():
            return view(request, *args, **kwargs)

    return login_required(checked)


def council_of(request: HttpRequest) -> Council:
    user = request.user
    assert isinstance(user, User) and user.council is not None  # staff_required ran first
    return user.council
