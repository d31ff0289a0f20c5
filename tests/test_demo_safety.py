"""Demo commands on a real database (issue 12 finding 6): `seed-demo` and `demo` refuse
in production and on a database holding councils that are not demo councils, and never
change the password (or rights) of an account that already exists."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.demo.seed import DEMO_PASSWORD, DemoRefused, seed_demo
from tests.factories import make_council
from tests.test_demo import FAST_HASHERS, NOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command", ["seed_demo", "demo"])
def test_demo_commands_refuse_in_production(settings, command):
    settings.PRODUCTION = True
    admin = User.objects.create_user("admin", password="a real admin's passphrase")
    args = [command] + (["--no-serve"] if command == "demo" else [])
    with pytest.raises(CommandError, match="CAREBROKER_ENV=production"):
        call_command(*args, stdout=StringIO())
    assert not Council.objects.exists()
    admin.refresh_from_db()
    assert admin.check_password("a real admin's passphrase")


def test_seed_demo_refuses_a_database_holding_real_councils():
    real = make_council("kent-oppd")
    with pytest.raises(CommandError, match=f"not demo councils: {real.slug}"):
        call_command("seed_demo", stdout=StringIO())
    assert list(Council.objects.values_list("slug", flat=True)) == [real.slug]
    assert not User.objects.exists()


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_seeding_never_changes_an_existing_accounts_password_or_rights():
    """The issue's attack: an existing `admin` (not a superuser) and an existing demo
    login keep their passwords and rights; only missing accounts are made."""
    admin = User.objects.create_user("admin", password="a real admin's passphrase")
    seed_demo(now=NOW, councils=())
    admin.refresh_from_db()
    assert admin.check_password("a real admin's passphrase")
    assert not admin.check_password(DEMO_PASSWORD)
    assert not admin.is_superuser


def test_seed_demo_function_refuses_in_production_too(settings):
    settings.PRODUCTION = True
    with pytest.raises(DemoRefused):
        seed_demo(now=NOW, councils=())
    assert not User.objects.exists()
