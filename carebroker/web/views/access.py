"""Who may open a page, and the object loaders that carry the permission check.

Every view is wrapped in `role_required(...)`: signed in, active, of a council, one of the
roles named (403 otherwise). Objects are loaded only through the `_get_*_for_user`
loaders below, which filter by the user's council (and a referrer's own referrals): an
object of another council, or another referrer's, is a 404 — its existence is not told.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from carebroker.accounts.models import Role, User
from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package

STAFF = (Role.BROKER, Role.MANAGER)  # docs/architecture.md §8: managers see all brokers see
MANAGERS = (Role.MANAGER,)
REFERRERS = (Role.REFERRER,)

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Signed in (else the sign-in page), of a council and one of `roles` (else 403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if (
                not isinstance(user, User)
                or not user.is_active
                or user.council_id is None
                or user.role not in roles
            ):
                raise PermissionDenied("Your role cannot open this page.")
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorate


def the_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # role_required ran first
    return user


def _packages_for_user(user: User) -> QuerySet[Package]:
    if user.role not in STAFF or user.council_id is None:
        return Package.objects.none()
    return Package.objects.filter(council_id=user.council_id)


def _get_package_for_user(user: User, case_number: str) -> Package:
    """A package of the staff user's council by its Mosaic ID, with what its page shows."""
    package = (
        _packages_for_user(user)
        .select_related("council", "area", "person", "referral", "awarded_provider")
        .filter(case_number=case_number)
        .first()
    )
    if package is None:
        raise Http404("No such package in your council.")
    return package


def with_package[**P](
    view: Callable[Concatenate[HttpRequest, User, Package, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
    """A package view takes (request, user, package, ...): the package is loaded by its Mosaic ID
    with the staff permission check of `_get_package_for_user` (another council's is a 404)."""

    @wraps(view)
    def loaded(
        request: HttpRequest, case_number: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        user = the_user(request)
        return view(request, user, _get_package_for_user(user, case_number), *args, **kwargs)

    return loaded


def _referrals_for_user(user: User) -> QuerySet[Referral]:
    """Staff: their council's referrals; a referrer: only their own; anyone else: none."""
    rows = Referral.objects.filter(council_id=user.council_id)
    if user.council_id is None:
        return Referral.objects.none()
    if user.role == Role.REFERRER:
        return rows.filter(referrer=user)
    if user.role in STAFF:
        return rows
    return Referral.objects.none()


def _get_referral_for_user(user: User, pk: int) -> Referral:
    referral = _referrals_for_user(user).select_related("person", "referrer").filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral for you.")
    return referral


def _get_referrer_package(user: User, case_number: str) -> Package:
    """A package of one of the referrer's own referrals (to answer its hold)."""
    package = (
        Package.objects.filter(
            council_id=user.council_id, referral__referrer=user, case_number=case_number
        )
        .select_related("council", "area", "person", "referral")
        .first()
    )
    if package is None or user.role != Role.REFERRER:
        raise Http404("No such package among your referrals.")
    return package


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on GET (an empty POST is still a POST)."""
    return request.POST if request.method == "POST" else None
