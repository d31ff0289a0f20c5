"""Two-factor sign-in pages (the rules are in `carebroker.accounts.two_factor`): the code step
after the password, a recovery code instead, setting up an authenticator app, and new
recovery codes. `TwoFactorGate` keeps every other page out of reach until the code is given.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from carebroker.accounts import throttle
from carebroker.accounts import two_factor as tf
from carebroker.web.forms.two_factor import RecoveryCodeForm, SecurityCodeForm

WRONG_APP_CODE = "The security code is not right: enter the code your app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or was already used"


def _next(request: HttpRequest) -> str:
    """Where to go after the code: the page first asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


def _owes_code(request: HttpRequest) -> bool:
    user: Any = request.user
    if user.is_verified() or tf.state_of(request) != tf.NEEDS_CODE:
        return False
    if not tf.has_app(user):  # reset by an administrator since the password was given
        request.session[tf.STATE_KEY] = tf.NO_DEVICE
        return False
    return True


def _code_step(
    request: HttpRequest,
    form_class: type[SecurityCodeForm] | type[RecoveryCodeForm],
    check: Any,
    wrong: str,
    template: str,
) -> HttpResponse:
    user: Any = request.user
    if not _owes_code(request):
        return redirect(_next(request))
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if tf.locked_out(request, user):
            logout(request)
            return throttle.locked_out(request)
        if check(request, user, form.cleaned_data["code"]):
            return redirect(_next(request))
        if tf.record_failure(request, user):
            # The limit is reached: the password must be given again, after the cool-off.
            logout(request)
            return throttle.locked_out(request)
        form.wrong(wrong)
    context = {"form": form, "next": _next(request), "signing_in": True}
    return render(request, template, context)


@login_required
def code_page(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the authenticator app."""
    return _code_step(
        request, SecurityCodeForm, tf.check_app_code, WRONG_APP_CODE, "registration/code.html"
    )


@login_required
def recovery_page(request: HttpRequest) -> HttpResponse:
    """A recovery code instead of the app's (a lost or new phone): each works once."""
    response = _code_step(
        request,
        RecoveryCodeForm,
        tf.check_recovery_code,
        WRONG_RECOVERY_CODE,
        "registration/recovery_code.html",
    )
    user: Any = request.user
    if request.method == "POST" and response.status_code == 302 and user.is_authenticated:
        left = tf.recovery_codes_left(user)
        messages.info(
            request,
            f"You used a recovery code: {left} {'is' if left == 1 else 'are'} left. "
            "Get new ones from “Two-factor sign-in” at the top of the page.",
        )
    return response


@login_required
def setup_page(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then give its first
    code. Confirmed, it replaces any earlier app and the recovery codes are shown once."""
    user: Any = request.user
    device = tf.pending_app(user)
    form = SecurityCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = tf.confirm_app(request, user, device, form.cleaned_data["code"])
        if codes:
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": _next(request), "first_time": True},
            )
        form.wrong(WRONG_APP_CODE)
    context = {
        "form": form,
        "qr_svg": tf.qr_svg(device),
        "secret": tf.secret_words(device),
        "required": tf.required_for(user),
        "next": _next(request),
        # Enrolment the sign-in waits for: nothing else to offer in the header yet.
        "signing_in": tf.required_for(user) and not user.is_verified(),
    }
    return render(request, "registration/setup.html", context)


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    """Whether two-factor sign-in is set up, and the recovery codes left."""
    user: Any = request.user
    context = {
        "has_app": tf.has_app(user),
        "codes_left": tf.recovery_codes_left(user),
        "required": tf.required_for(user),
    }
    return render(request, "registration/two_factor.html", context)


@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not tf.has_app(user):
        return redirect("two_factor_setup")
    codes = tf.new_recovery_codes(user)
    return render(
        request,
        "registration/recovery_codes.html",
        {"codes": codes, "next": resolve_url("two_factor"), "first_time": False},
    )
