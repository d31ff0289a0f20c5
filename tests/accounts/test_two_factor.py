"""Two-factor sign-in (issue 12): after the password, a code from an authenticator app (TOTP)
or a one-use recovery code; no page answers before it; required in production for brokers,
managers, superusers and provider users; wrong codes count with wrong passwords in axes.

Codes are computed here from the device's key with django-otp's own TOTP at a pinned time,
and the device's clock is pinned to the same second."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import models as totp_models

from carebroker.accounts import two_factor
from carebroker.accounts.models import AppDevice, Role, User
from tests.factories import PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db

PINNED = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/London")).timestamp()
GATE = "carebroker.accounts.two_factor.TwoFactorGate"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    """The TOTP device reads time.time(): pinned for it alone."""
    clock = SimpleNamespace(time=lambda: clock.now, now=PINNED)
    monkeypatch.setattr(totp_models, "time", clock)
    return clock


def code_at(device: AppDevice, when: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = when
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> AppDevice:
    return AppDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(username: str, password: str = PASSWORD, address: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post("/login/", {"username": username, "password": password})
    assert "_auth_user_id" in client.session, "the password step failed"
    return client


def give_code(client: Client, code: str, page: str = "/sign-in/code/", next_url: str = "/"):
    return client.post(page, {"code": code, "next": next_url})


def reaches(client: Client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 200


@pytest.fixture
def council():
    return make_council()


@pytest.fixture
def broker(council):
    user = make_user(council, Role.BROKER, username="a-broker", is_staff=True)
    return user


# -- the password alone reaches nothing --------------------------------------------------


PAGES = ["/", "/packages/", "/referrals/", "/admin/", "/two-factor/", "/two-factor/set-up/"]


@pytest.mark.parametrize("protected", [True, False], ids=["gate on", "gate off"])
def test_after_the_password_alone_no_page_answers(broker, protected):
    """With the gate every page sends a user with an authenticator to the code page; with the
    gate taken out of the middleware the same pages answer, so this check can fail."""
    enrol(broker)
    middleware = [m for m in settings.MIDDLEWARE if protected or m != GATE]
    with override_settings(MIDDLEWARE=middleware):
        client = sign_in("a-broker")
        for url in PAGES:
            response = client.get(url)
            if protected:
                assert response.status_code == 302, url
                assert response["Location"].startswith("/sign-in/code/?next="), url
            else:
                assert response.status_code == 200, url


def test_a_provider_user_with_an_app_reaches_no_portal_page_on_the_password_alone(council):
    provider_user = make_user(council, Role.PROVIDER, username="a-provider")
    enrol(provider_user)
    client = sign_in("a-provider")
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code/")


# -- the code ----------------------------------------------------------------------------


def test_the_right_code_lets_them_in_and_back_to_the_page_they_asked_for(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    response = client.get("/packages/")
    assert response["Location"] == "/sign-in/code/?next=%2Fpackages%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    response = give_code(client, code_at(device, PINNED), next_url="/packages/")
    assert response.status_code == 302 and response["Location"] == "/packages/"
    assert reaches(client, "/packages/") and reaches(client, "/admin/")


def test_a_code_from_the_step_before_is_accepted_but_not_one_from_minutes_ago(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    assert give_code(client, code_at(device, PINNED - 300)).status_code == 200
    assert give_code(client, code_at(device, PINNED - 30)).status_code == 302


def test_a_wrong_code_is_refused_with_a_message_naming_the_field(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    right = code_at(device, PINNED)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = give_code(client, wrong)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_code">The security code is not right' in page
    assert 'aria-describedby="id_code-hint id_code-error"' in page
    assert not reaches(client, "/")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the security code"),
        ("12ab56", "The security code must be 6 numbers, like 123456"),
        ("12³456", "The security code must be 6 numbers, like 123456"),
        ("12345", "The security code must be 6 numbers"),
    ],
)
def test_a_badly_typed_code_names_the_field_and_counts_for_nothing(broker, typed, message):
    enrol(broker)
    client = sign_in("a-broker")
    page = give_code(client, typed).content.decode()
    assert f'href="#id_code">{message}</a>' in page
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username="a-broker").exists()


def test_spaces_typed_in_the_code_are_ignored(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    code = code_at(device, PINNED)
    assert give_code(client, f"{code[:3]} {code[3:]}").status_code == 302


def test_a_code_signs_in_once_only(broker):
    """A code seen over someone's shoulder cannot be used again in another session."""
    device = enrol(broker)
    code = code_at(device, PINNED)
    first = sign_in("a-broker")
    assert give_code(first, code).status_code == 302
    second = sign_in("a-broker", address="198.51.100.9")
    assert give_code(second, code).status_code == 200
    assert not reaches(second, "/")


# -- recovery codes ----------------------------------------------------------------------


def test_a_recovery_code_works_once_only(broker):
    enrol(broker)
    codes = two_factor.new_recovery_codes(broker)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = sign_in("a-broker")
    response = give_code(client, codes[3].upper(), page="/sign-in/recovery-code/")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "You used a recovery code: 9 are left" in home.content.decode()
    again = sign_in("a-broker", address="198.51.100.9")
    response = give_code(again, codes[3], page="/sign-in/recovery-code/")
    assert response.status_code == 200
    assert 'href="#id_code">The recovery code is not right, or was already used' in (
        response.content.decode()
    )
    assert not reaches(again, "/")
    assert give_code(again, codes[4], page="/sign-in/recovery-code/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(broker):
    device = enrol(broker)
    old = two_factor.new_recovery_codes(broker)
    client = sign_in("a-broker")
    give_code(client, code_at(device, PINNED))
    page = client.post("/two-factor/recovery-codes/").content.decode()
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    other = sign_in("a-broker", address="198.51.100.9")
    assert give_code(other, old[0], page="/sign-in/recovery-code/").status_code == 200
    assert give_code(other, new[0], page="/sign-in/recovery-code/").status_code == 302


# -- throttling: wrong codes count with wrong passwords ----------------------------------------


def test_wrong_codes_lock_the_account_out_after_the_password_limit(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    wrong = [c for c in (f"{n:06d}" for n in range(LIMIT + 1)) if c != code_at(device, PINNED)]
    for code in wrong[:LIMIT]:
        response = give_code(client, code)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session  # signed out: the password is asked again
    again = Client(REMOTE_ADDR="198.51.100.9")
    response = again.post("/login/", {"username": "a-broker", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in again.session


def test_a_right_password_does_not_clear_the_wrong_codes_before_it(broker):
    """Else signing in again with the password would give a fresh set of guesses each time."""
    device = enrol(broker)
    right = code_at(device, PINNED)
    wrong = "000000" if right != "000000" else "111111"
    client = sign_in("a-broker")
    for _ in range(LIMIT - 1):
        assert give_code(client, wrong).status_code == 200
    client = sign_in("a-broker")
    assert give_code(client, wrong).status_code == 429


def test_a_whole_sign_in_clears_the_failures(broker):
    device = enrol(broker)
    client = sign_in("a-broker")
    for _ in range(LIMIT - 1):
        give_code(client, "000000" if code_at(device, PINNED) != "000000" else "111111")
    assert give_code(client, code_at(device, PINNED)).status_code == 302
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username="a-broker").exists()


# -- enrolment, and production ---------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_asks_for_a_first_code(broker):
    client = sign_in("a-broker")
    page = client.get("/two-factor/set-up/").content.decode()
    device = AppDevice.objects.get(user=broker, confirmed=False)
    assert "<svg" in page and "QR code for your authenticator app" in page
    assert two_factor.secret_words(device) in page
    assert client.get("/two-factor/set-up/").content.decode().count(two_factor.secret_words(device))
    wrong = give_code(client, "000000" if code_at(device, PINNED) != "000000" else "111111",
                      page="/two-factor/set-up/")  # fmt: skip
    assert 'href="#id_code">The security code is not right' in wrong.content.decode()
    assert not AppDevice.objects.filter(user=broker, confirmed=True).exists()
    done = give_code(client, code_at(device, PINNED), page="/two-factor/set-up/")
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=broker).token_set.count() == 10
    assert AppDevice.objects.get(user=broker).confirmed


@override_settings(TWO_FACTOR_REQUIRED=True)
@pytest.mark.parametrize("role", [Role.BROKER, Role.MANAGER, Role.PROVIDER])
def test_in_production_a_user_who_must_have_it_is_sent_to_set_it_up(council, role):
    make_user(council, role, username="someone", is_staff=role != Role.PROVIDER)
    client = sign_in("someone")
    for url in ["/", "/packages/", "/admin/", "/portal/", "/two-factor/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/two-factor/set-up/"), url
    page = client.get("/two-factor/set-up/").content.decode()
    assert "Set it up to carry on" in page
    device = AppDevice.objects.get(user__username="someone")
    give_code(client, code_at(device, PINNED), page="/two-factor/set-up/")
    assert reaches(client, "/")


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_in_production_a_referrer_is_offered_it_but_not_made_to(council):
    make_user(council, Role.REFERRER, username="a-referrer")
    assert reaches(sign_in("a-referrer"), "/")


def test_outside_production_it_is_offered_and_the_password_is_enough(broker):
    """The demo's logins sign in with the password alone."""
    client = sign_in("a-broker")
    assert reaches(client, "/packages/")
    assert 'href="/two-factor/">Two-factor sign-in</a>' in client.get("/").content.decode()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_council_single_sign_on_skips_it_as_its_provider_applies_its_own(council, broker):
    """docs/security.md, single sign-on: the council's identity provider's MFA stands in; the
    same user signing in with the password still gives a code."""
    enrol(broker)
    sso = Client()
    sso.force_login(broker, backend="carebroker.accounts.sign_on.CouncilSignOnBackend")
    assert reaches(sso, "/packages/")
    assert not reaches(sign_in("a-broker"), "/packages/")


@pytest.mark.slow  # a subprocess: the settings as deployed
@pytest.mark.parametrize(("env", "required"), [("production", "True"), ("development", "False")])
def test_production_settings_require_two_factor(tmp_path, env, required):
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(
        DJANGO_SETTINGS_MODULE="carebroker.settings",
        CAREBROKER_ENV=env,
        SECRET_KEY="x" * 50,
        ENCRYPTION_KEYS="ZmFrZS1rZXktZm9yLXRoZS10ZXN0cy0tMzItYnl0ZXM=",
        CAREBROKER_VAR=str(tmp_path),
    )
    code = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=base)
    assert result.stdout.strip() == required, result.stderr


# -- the administrator's reset ---------------------------------------------------------


def test_a_manager_resets_a_lost_phone_in_the_admin_for_their_council_only(council, broker):
    enrol(broker)
    two_factor.new_recovery_codes(broker)
    elsewhere = make_user(make_council(), Role.BROKER, username="elsewhere", is_staff=True)
    enrol(elsewhere)
    manager = make_user(council, Role.MANAGER, username="a-manager", is_staff=True)
    admin = sign_in("a-manager")
    listing = admin.get("/admin/accounts/user/").content.decode()
    assert "Two-factor sign-in" in listing
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [broker.pk, elsewhere.pk]},
    )
    assert response.status_code == 302
    assert not AppDevice.objects.filter(user=broker).exists()
    assert not StaticDevice.objects.filter(user=broker).exists()
    assert AppDevice.objects.filter(user=elsewhere).exists()  # another council's: untouched
    assert manager.pk
    assert reaches(sign_in("a-broker"), "/")
