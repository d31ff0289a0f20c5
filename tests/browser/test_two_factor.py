"""Two-factor sign-in in Chromium: set up an authenticator app from its page (the key typed
as a person would, from the page's text), then sign in with the password and a code; a
wrong code first gets the GOV.UK error summary naming the field. axe on every page."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models

from carebroker.accounts.models import Role
from tests.factories import make_council, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

PINNED = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/London")).timestamp()


def code_for(secret_text: str, when: float) -> str:
    """What an authenticator app shows for the key as the page prints it."""
    import base64

    key = base64.b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time = when
    return f"{totp.token():06d}"


def test_a_broker_sets_up_an_app_then_signs_in_with_a_code(pages, monkeypatch):
    clock = SimpleNamespace(now=PINNED)
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: clock.now))
    make_user(make_council(), Role.BROKER, username="tf-broker", is_staff=True)

    page = pages.sign_in("tf-broker")
    page.click("a:has-text('Two-factor sign-in')")
    page.click("a:has-text('Set up two-factor sign-in')")
    pages.look(page, "set-up")
    assert page.locator(".carebroker-qr svg").is_visible()
    secret = page.inner_text("#secret-key")
    page.fill("#id_code", code_for(secret, clock.now))
    page.click("button:has-text('Set up')")
    pages.look(page, "recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.click("button:has-text('Sign out')")

    clock.now = PINNED + 90  # a later code: each is accepted once
    page = pages.sign_in("tf-broker")
    assert "/sign-in/code/" in page.url
    pages.look(page, "code")
    assert page.get_attribute("#id_code", "autocomplete") == "one-time-code"
    assert page.get_attribute("#id_code", "inputmode") == "numeric"
    page.fill("#id_code", "12 34")
    page.click("button:has-text('Continue')")
    pages.look(page, "code-error")
    summary = page.locator(".govuk-error-summary")
    assert "The security code must be 6 numbers" in summary.inner_text()
    assert summary.locator("a").get_attribute("href") == "#id_code"
    page.fill("#id_code", code_for(secret, clock.now))
    page.click("button:has-text('Continue')")
    pages.look(page, "home")
    assert page.url.rstrip("/") == pages.base_url
    assert page.locator("nav a:has-text('Packages')").count() == 1
