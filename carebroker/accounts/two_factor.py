"""Two-factor sign-in (issue 12): a code from an authenticator app (TOTP) after the password,
or one of ten one-use recovery codes; by django-otp (its TOTP checks, in our `AppDevice`
whose key is sealed at rest, and its static devices).

Who: everyone may set it up; brokers, managers, superusers (they reach the admin's full
records) and provider users (a provider's account holders) must, where
settings.TWO_FACTOR_REQUIRED (production). A user with a confirmed authenticator gives a
code at every sign-in, wherever it is required or not. A council's single sign-on skips it:
the council's identity provider applies its own MFA (settings.TWO_FACTOR_EXEMPT_BACKENDS).

How it is enforced: `TwoFactorGate`, after django-otp's OTPMiddleware, sends a signed-in user
who has not given a code to the code page, and one who must enrol to the set-up page; no
other page (the admin included) answers them. What the session needs is decided once at
sign-in (`_on_sign_in`), so a page costs no extra query for users without a device.

Throttling: a wrong code is a failed sign-in for django-axes (the same limit as passwords,
per username and per address), and axes' attempts are cleared only when the whole sign-in
succeeds (settings.AXES_RESET_ON_SUCCESS is off: else each correct password would clear the
wrong codes before it, and codes could be guessed for ever).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from carebroker.accounts.models import STAFF_ROLES, AppDevice, Role, User

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# What the session still needs, decided at sign-in: a code, nothing, or nothing because the
# sign-in came through a backend that did its own second factor (a council's identity
# provider, listed in settings.TWO_FACTOR_EXEMPT_BACKENDS).
STATE_KEY = "two_factor"
NEEDS_CODE, NO_DEVICE, EXEMPT = "code", "none", "exempt"

# The only pages a signed-in user who owes a code, or must enrol, may reach.
CODE_PAGES = frozenset({"two_factor_code", "two_factor_recovery", "logout", "admin:logout"})
ENROL_PAGES = frozenset({"two_factor_setup", "logout", "admin:logout"})


def required_for(user: Any) -> bool:
    """Whether this user must have two-factor sign-in (in production)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return bool(
        user.is_staff or user.is_superuser or user.role in STAFF_ROLES or user.role == Role.PROVIDER
    )


def has_app(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def state_of(request: HttpRequest) -> str:
    """The session's two-factor state; worked out now for a session that lacks it (one that
    was signed in before two-factor sign-in existed)."""
    state = request.session.get(STATE_KEY)
    if state not in (NEEDS_CODE, NO_DEVICE, EXEMPT):
        state = _state_for(request, request.user)
        request.session[STATE_KEY] = state
    return str(state)


def _state_for(request: HttpRequest, user: Any) -> str:
    if request.session.get(BACKEND_SESSION_KEY) in settings.TWO_FACTOR_EXEMPT_BACKENDS:
        return EXEMPT
    return NEEDS_CODE if has_app(user) else NO_DEVICE


def _on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """After the password: note what the session still needs; a sign-in that needs no code
    is complete, so its failed attempts are cleared (axes would have done it)."""
    if request is None or not hasattr(request, "session"):
        return
    state = _state_for(request, user)
    request.session[STATE_KEY] = state
    if state != NEEDS_CODE:
        clear_failures(request, user)


user_logged_in.connect(_on_sign_in, dispatch_uid="carebroker.two_factor.sign_in")


class TwoFactorGate:
    """Every page but the code (or set-up) pages is out of reach until the user has given a
    code (or, where required, set up an authenticator). Goes after OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated:
            return None
        page = request.resolver_match.view_name if request.resolver_match else ""
        state = state_of(request)
        if state == EXEMPT or user.is_verified():
            return None
        if state == NEEDS_CODE:
            return None if page in CODE_PAGES else _to("two_factor_code", request)
        if required_for(user):
            return None if page in ENROL_PAGES else _to("two_factor_setup", request)
        return None


def _to(name: str, request: HttpRequest) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


# -- the code step ----------------------------------------------------------------------------


def locked_out(request: HttpRequest, user: User) -> bool:
    """Whether axes refuses this user or address now (as it refuses their password)."""
    return not AxesProxyHandler.is_allowed(request, get_credentials(user.get_username()))


def record_failure(request: HttpRequest, user: User) -> bool:
    """A wrong code is a failed sign-in, counted by axes with the wrong passwords. Returns
    whether that failure locked the user (or the address) out."""
    user_login_failed.send(
        sender=__name__, credentials=get_credentials(user.get_username()), request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def clear_failures(request: HttpRequest, user: Any) -> None:
    """What axes does after a successful sign-in: clear the failed attempts of this username
    and this address."""
    AxesProxyHandler.update_request(request)
    handler: Any = AxesProxyHandler.get_implementation()
    if hasattr(handler, "reset_user_attempts"):
        handler.reset_user_attempts(request, get_credentials(user.get_username()))


def check_app_code(request: HttpRequest, user: User, code: str) -> bool:
    """The code from the user's authenticator app; on success the session is verified."""
    with transaction.atomic():  # one code, one sign-in: the device row is locked while checked
        for device in AppDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                _verified(request, user, device)
                return True
    return False


def check_recovery_code(request: HttpRequest, user: User, code: str) -> bool:
    """One of the user's recovery codes, which is then used up."""
    code = "".join(code.split()).lower()
    with transaction.atomic():
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                _verified(request, user, device)
                return True
    return False


def _verified(request: HttpRequest, user: User, device: Any) -> None:
    request.session.cycle_key()  # a new session key for the signed-in-in-full session
    otp_login(request, device)
    request.session[STATE_KEY] = NEEDS_CODE
    clear_failures(request, user)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# -- enrolment ----------------------------------------------------------------------------


def pending_app(user: User) -> AppDevice:
    """The authenticator being set up: the same secret until it is confirmed, so a reload of
    the page does not change the QR code under the person scanning it."""
    device = AppDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = AppDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_words(device: AppDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: AppDevice) -> str:
    """The authenticator's set-up address as an inline SVG QR code (no image request, no
    script: allowed by the CSP)."""
    qr = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=4, title="QR code for your authenticator app"))


def confirm_app(request: HttpRequest, user: User, device: AppDevice, code: str) -> list[str]:
    """Confirm the new authenticator with its first code: it replaces any earlier one, the
    session is verified, and new recovery codes are made. Returns them ([] if the code is
    wrong: nothing changes)."""
    if not device.verify_token(code):
        return []
    with transaction.atomic():
        AppDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    _verified(request, user, device)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Ten new one-use recovery codes; the earlier ones stop working. Shown once: only the
    device keeps them."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def reset_devices(user: User) -> None:
    """An administrator's reset: the user's authenticator and recovery codes are removed; they
    sign in with their password and set up again (where required, before anything else)."""
    AppDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
