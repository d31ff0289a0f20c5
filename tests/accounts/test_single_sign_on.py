"""Single sign-on for council staff by OpenID Connect (docs/security.md, single sign-on),
through the whole flow: Django's test client starts the sign-on, the browser's hop to the
provider is a real HTTP request to a real OpenID Provider (pyop, tests/oidc_provider.py)
on a loopback port, and our callback exchanges the code, fetches the JWKS and userinfo
from it over HTTP. Only an existing staff account of the council signs on; the ID token's
RS256 signature is checked against the provider's JWKS (the forged-token test fails when
that check is switched off)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from carebroker.accounts.models import Role, User
from carebroker.accounts.sign_on import SESSION_KEY
from carebroker.env import env_sign_on
from tests.factories import PASSWORD, make_council, make_user
from tests.oidc_provider import LocalProvider, new_rsa_key_pem, running_provider

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/sign-on/callback/"
PEOPLE = {
    "pat": {"email": "Pat.Purchasing@southmarsh.example.gov.uk", "name": "Pat Purchasing"},
    "newcomer": {"email": "new.starter@southmarsh.example.gov.uk", "name": "New Starter"},
    "carer": {"email": "office@alder-homecare.example.org", "name": "Alder Office"},
    "elsewhere": {"email": "broker@eastshire.example.gov.uk", "name": "Eastshire Broker"},
}
REFUSED = "You have not been signed in"


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    with running_provider([CALLBACK], PEOPLE) as running:
        yield running


@pytest.fixture
def op(provider: LocalProvider) -> LocalProvider:
    provider.forge_with = None
    provider.claims_changed = {}
    provider.wrong_nonce = False
    provider.token_requests.clear()
    return provider


@pytest.fixture
def council(op: LocalProvider, settings):
    council = make_council("kent-oppd", name="Southmarsh County Council", slug="southmarsh")
    settings.SSO_COUNCILS = {
        "southmarsh": {
            "issuer": op.issuer,
            "client_id": op.client_id,
            "client_secret": op.client_secret,
        }
    }
    return council


def at_provider(client: Client, slug: str, op: LocalProvider, person: str) -> str:
    """Start the sign-on and follow the redirect to the provider, who signs `person` in;
    returns where the provider sends the browser back to (our callback, with code and state)."""
    op.signs_in = person
    start = client.get(f"/sign-on/{slug}/")
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(f"{op.issuer}/authorize?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return back


def sign_on(client: Client, slug: str, op: LocalProvider, person: str):
    back = at_provider(client, slug, op, person)
    return client.get(back.removeprefix("http://testserver"))


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_a_known_staff_email_signs_in_to_that_account(council, op):
    """Matched by email, case aside; sent on to the page asked for; the session says the
    council's provider signed them in (our TOTP step is skipped for it)."""
    pat = make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    client = Client()
    op.signs_in = "pat"
    start = client.get("/sign-on/southmarsh/", {"next": "/packages/"})
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    response = client.get(answer.headers["Location"].removeprefix("http://testserver"))
    assert response.status_code == 302 and response["Location"] == "/packages/"
    assert signed_in_as(client) == pat
    assert client.session[SESSION_KEY] == "southmarsh"
    # The code went back with our client's secret and the PKCE verifier.
    (exchange,) = op.token_requests
    assert exchange["client_id"] == op.client_id and exchange["code_verifier"]


def test_a_council_sign_on_skips_the_two_factor_code_a_password_sign_in_asks_for(
    council, op, settings
):
    """docs/security.md: the council's provider applies its own MFA, so a broker with an
    authenticator app reaches pages after signing on, where their password alone does not."""
    from carebroker.accounts.models import AppDevice

    settings.TWO_FACTOR_REQUIRED = True
    pat = make_user(
        council, Role.BROKER, username="pat", email="pat.purchasing@southmarsh.example.gov.uk"
    )
    AppDevice.objects.create(user=pat, name="Authenticator app", confirmed=True)
    signed_on = Client()
    assert sign_on(signed_on, "southmarsh", op, "pat").status_code == 302
    assert signed_on.get("/packages/").status_code == 200

    by_password = Client()
    by_password.post("/login/", {"username": "pat", "password": PASSWORD})
    assert signed_in_as(by_password) == pat
    assert by_password.get("/packages/").status_code == 302  # to the code page


def test_an_unknown_email_is_refused_and_nothing_is_created(council, op):
    make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    users_before = list(User.objects.values_list("pk", flat=True))
    client = Client()
    response = sign_on(client, "southmarsh", op, "newcomer")
    assert response.status_code == 403
    page = response.content.decode()
    assert REFUSED in page
    assert (
        "There is no carebroker account for new.starter@southmarsh.example.gov.uk at "
        "Southmarsh County Council" in page
    )
    assert "does not make a new account" in page
    assert signed_in_as(client) is None
    assert list(User.objects.values_list("pk", flat=True)) == users_before


def test_an_id_token_signed_by_another_key_is_refused(council, op):
    """The token endpoint's answer is re-signed by an attacker's key under the provider's
    key id; everything else about it is right. Only the JWKS signature check catches it."""
    make_user(council, Role.MANAGER, email="pat.purchasing@southmarsh.example.gov.uk")
    op.forge_with = new_rsa_key_pem()
    client = Client()
    response = sign_on(client, "southmarsh", op, "pat")
    assert response.status_code == 403
    page = response.content.decode()
    assert "could not be checked" in page
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "changed",
    [{"aud": "another-councils-client"}, {"iss": "https://login.example.net/another-tenant"}],
    ids=["for-another-client", "from-another-issuer"],
)
def test_an_id_token_for_another_client_or_from_another_issuer_is_refused(council, op, changed):
    """Signed by the provider's own key, so only the audience and issuer checks (ours: the
    library checks neither) catch it: a token one council's app got, replayed at another's."""
    make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    op.claims_changed = changed
    client = Client()
    response = sign_on(client, "southmarsh", op, "pat")
    assert response.status_code == 403 and "could not be checked" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_id_token_with_a_nonce_this_sign_in_did_not_send_is_refused(council, op):
    make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    op.wrong_nonce = True
    client = Client()
    response = sign_on(client, "southmarsh", op, "pat")
    assert response.status_code == 403 and "could not be checked" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_callback_this_browser_did_not_start_is_refused(council, op):
    """The state ties the answer to the browser that asked: another browser (an attacker
    handing a victim their own code) and a second use of the same answer are refused."""
    make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    back = at_provider(Client(), "southmarsh", op, "pat").removeprefix("http://testserver")
    victim = Client()
    response = victim.get(back)
    assert response.status_code == 403 and "not started here" in response.content.decode()
    assert signed_in_as(victim) is None

    client = Client()
    back = at_provider(client, "southmarsh", op, "pat").removeprefix("http://testserver")
    assert client.get(back).status_code == 302
    client.logout()
    again = client.get(back)
    assert again.status_code == 403 and signed_in_as(client) is None


def test_a_provider_users_email_is_refused(council, op):
    make_user(council, Role.PROVIDER, email="office@alder-homecare.example.org")
    client = Client()
    response = sign_on(client, "southmarsh", op, "carer")
    assert response.status_code == 403
    assert "is not a Southmarsh County Council staff account" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_staff_account_of_another_council_is_not_signed_in(council, op):
    """Eastshire's broker, vouched for by Southmarsh's provider, is not Southmarsh staff."""
    eastshire = make_council("essex-lah", slug="eastshire")
    make_user(eastshire, Role.BROKER, email="broker@eastshire.example.gov.uk")
    client = Client()
    response = sign_on(client, "southmarsh", op, "elsewhere")
    assert response.status_code == 403
    page = response.content.decode()
    assert "no carebroker account for broker@eastshire.example.gov.uk at Southmarsh" in page
    assert signed_in_as(client) is None


def test_a_switched_off_account_is_refused(council, op):
    make_user(
        council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk", is_active=False
    )
    client = Client()
    response = sign_on(client, "southmarsh", op, "pat")
    assert response.status_code == 403 and "switched off" in response.content.decode()
    assert signed_in_as(client) is None


def test_the_sign_in_page_offers_a_council_account_only_where_one_is_set_up(council, settings):
    page = Client().get("/login/", {"next": "/packages/"}).content.decode()
    assert "Sign in with your council account" in page
    assert 'href="/sign-on/southmarsh/?next=/packages/"' in page

    settings.SSO_COUNCILS = {}
    assert "council account" not in Client().get("/login/").content.decode()
    assert Client().get("/sign-on/southmarsh/").status_code == 404


def test_a_council_without_single_sign_on_has_no_sign_on(council, op):
    make_council("essex-lah", slug="eastshire")
    assert Client().get("/sign-on/eastshire/").status_code == 404


def test_the_provider_is_found_from_its_discovery_document(council, op):
    start = Client().get("/sign-on/southmarsh/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == [op.client_id]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["nonce"] and query["state"] and query["code_challenge_method"] == ["S256"]


def test_refused_sign_ons_count_towards_the_address_lock_out(council, op, settings):
    """A refusal is a failed sign-in for django-axes: an address that keeps trying is locked
    out of single sign-on (and of passwords) like a password guesser."""
    make_user(council, Role.BROKER, email="pat.purchasing@southmarsh.example.gov.uk")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_on(Client(REMOTE_ADDR="203.0.113.9"), "southmarsh", op, "newcomer")
        last = attempt == settings.AXES_FAILURE_LIMIT - 1
        assert response.status_code == (429 if last else 403)  # the last failure locks
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = sign_on(client, "southmarsh", op, "pat")
    assert response.status_code == 429 and signed_in_as(client) is None
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert sign_on(elsewhere, "southmarsh", op, "pat").status_code == 302
    assert signed_in_as(elsewhere) is not None


def test_each_councils_provider_comes_from_its_own_environment_variables(monkeypatch):
    monkeypatch.setenv("SSO_COUNCILS", "kent, east-sussex")
    for slug in ("KENT", "EAST_SUSSEX"):
        monkeypatch.setenv(f"SSO_{slug}_ISSUER", f"https://login.example.net/{slug}/v2.0/")
        monkeypatch.setenv(f"SSO_{slug}_CLIENT_ID", f"{slug}-client")
        monkeypatch.setenv(f"SSO_{slug}_CLIENT_SECRET", f"{slug}-secret")
    councils = env_sign_on("SSO_COUNCILS", require_https=True)
    assert councils["east-sussex"] == {
        "issuer": "https://login.example.net/EAST_SUSSEX/v2.0",
        "client_id": "EAST_SUSSEX-client",
        "client_secret": "EAST_SUSSEX-secret",
    }
    assert list(councils) == ["kent", "east-sussex"]


def test_a_missing_secret_or_a_plain_http_issuer_in_production_stops_start_up(monkeypatch):
    monkeypatch.setenv("SSO_COUNCILS", "kent")
    monkeypatch.setenv("SSO_KENT_ISSUER", "http://login.example.net/kent/v2.0")
    monkeypatch.setenv("SSO_KENT_CLIENT_ID", "kent-client")
    monkeypatch.delenv("SSO_KENT_CLIENT_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SSO_KENT_CLIENT_SECRET: required"):
        env_sign_on("SSO_COUNCILS", require_https=False)
    monkeypatch.setenv("SSO_KENT_CLIENT_SECRET", "kent-secret")
    with pytest.raises(ImproperlyConfigured, match="SSO_KENT_ISSUER: must be an https"):
        env_sign_on("SSO_COUNCILS", require_https=True)
    assert env_sign_on("SSO_COUNCILS", require_https=False)["kent"]["client_id"] == "kent-client"
