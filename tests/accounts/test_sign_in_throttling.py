"""Sign-in throttling with django-axes (issue 12 finding 8): after AXES_FAILURE_LIMIT wrong
passwords for one username, or from one address, even the right password is refused with
a clear message until the cool-off ends or an administrator unlocks it; the admin's own
sign-in is throttled the same way. Each test fails with axes switched off."""

import pytest
from django.conf import settings
from django.test import Client

from carebroker.accounts.models import Role, User
from tests.factories import PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db

LIMIT = getattr(settings, "AXES_FAILURE_LIMIT", 5)
LOCKED = "Too many failed sign-in attempts"


def sign_in(username: str, password: str, *, address: str = "203.0.113.7", url="/login/"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(url, {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def broker():
    return make_user(make_council(), Role.BROKER, username="a-broker")


def test_the_limit_is_a_handful():
    assert 3 <= LIMIT <= 10


def test_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(broker):
    """The issue's attack: 50 wrong then the right one succeeded; now the account is locked
    after LIMIT failures and the right password is refused, saying why and what to do."""
    for _ in range(LIMIT):
        sign_in("a-broker", "wrong guess")
    client, response = sign_in("a-broker", PASSWORD)
    assert not signed_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "ask an administrator" in page


def test_failures_for_one_user_from_many_addresses_lock_that_user(broker):
    for n in range(LIMIT):
        sign_in("a-broker", "wrong guess", address=f"198.51.100.{n + 1}")
    client, response = sign_in("a-broker", PASSWORD, address="192.0.2.99")
    assert not signed_in(client) and response.status_code == 429


def test_failures_from_one_address_across_many_users_lock_that_address(broker):
    for n in range(LIMIT):
        sign_in(f"guess-{n}", "wrong guess", address="203.0.113.50")
    client, _ = sign_in("a-broker", PASSWORD, address="203.0.113.50")
    assert not signed_in(client)
    elsewhere, _ = sign_in("a-broker", PASSWORD, address="192.0.2.1")
    assert signed_in(elsewhere)  # the user is not locked, the address is


def test_the_admin_sign_in_is_throttled_too():
    make_user(None, Role.BROKER, username="root", is_staff=True, is_superuser=True)
    for _ in range(LIMIT):
        sign_in("root", "wrong guess", url="/admin/login/")
    client, response = sign_in("root", PASSWORD, url="/admin/login/")
    assert not signed_in(client) and response.status_code == 429


def test_an_administrator_unlocks_a_user_in_the_admin(broker):
    from axes.models import AccessAttempt

    for _ in range(LIMIT):
        sign_in("a-broker", "wrong guess")
    assert AccessAttempt.objects.filter(username="a-broker").exists()
    root = User.objects.create_superuser("root", password="a long admin passphrase 1")
    admin = Client()
    admin.force_login(root)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    client, _ = sign_in("a-broker", PASSWORD)
    assert signed_in(client)
