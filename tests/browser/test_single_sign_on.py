"""Single sign-on in a real browser: Chromium presses "Sign in with your council account",
goes to a real OpenID Provider (pyop over HTTPS on loopback, tests/oidc_provider.py), and
comes back signed in, or to a page saying in words why not (docs/security.md)."""

from __future__ import annotations

import pytest

from carebroker.accounts.models import Role, User
from tests.factories import make_council, make_user
from tests.oidc_provider import running_provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

PEOPLE = {
    "pat": {"email": "pat.purchasing@southmarsh.example.gov.uk", "name": "Pat Purchasing"},
    "newcomer": {"email": "new.starter@southmarsh.example.gov.uk", "name": "New Starter"},
}


def test_council_staff_sign_in_with_their_council_account_and_strangers_are_told_why_not(
    pages, live_server, settings
):
    council = make_council("kent-oppd", name="Southmarsh County Council", slug="southmarsh")
    pat = make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    callback = f"{live_server.url}/sign-on/callback/"
    with running_provider([callback], PEOPLE) as op:
        settings.SSO_COUNCILS = {
            "southmarsh": {
                "issuer": op.issuer,
                "client_id": op.client_id,
                "client_secret": op.client_secret,
            }
        }
        # The provider's certificate was made for this run: the browser is told to accept it.
        context = pages.browser.new_context(
            viewport={"width": 1200, "height": 900}, ignore_https_errors=True
        )
        pages.contexts.append(context)
        page = context.new_page()

        op.signs_in = "pat"
        pages.goto(page, "/login/", "sign-in-page")
        with page.expect_navigation(url=f"{live_server.url}/"):
            page.click("text=Sign in with your council account")
        pages.look(page, "signed-in-by-the-council")
        assert "/login/" not in page.url
        assert page.get_by_role("button", name="Sign out").count() == 1  # signed in

        stranger = context.browser.new_context(ignore_https_errors=True)
        pages.contexts.append(stranger)
        other = stranger.new_page()
        op.signs_in = "newcomer"
        pages.goto(other, "/login/", "sign-in-page-again")
        with other.expect_navigation(url=lambda url: "/sign-on/callback/" in url):
            other.click("text=Sign in with your council account")
        pages.look(other, "refused")
        text = other.inner_text("main")
        assert "You have not been signed in" in text
        assert "There is no carebroker account for new.starter@southmarsh.example.gov.uk" in text
        assert not User.objects.filter(email__iexact=PEOPLE["newcomer"]["email"]).exists()
    assert User.objects.get(pk=pat.pk).last_login is not None
