"""Who a user is: one council, one provider for a provider user, admin access for staff roles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebroker.accounts.models import Role, User
from tests.factories import PASSWORD, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def _errors(user: User) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    return caught.value.message_dict


def test_provider_user_must_belong_to_a_provider():
    """A provider user without a provider is refused on the provider field."""
    council = make_council()
    user = User(username="p1", password="x", council=council, role=Role.PROVIDER)
    assert _errors(user) == {"provider": ["A provider user must belong to a provider."]}


def test_provider_user_provider_must_be_of_the_same_council():
    """A provider user cannot belong to another council's provider."""
    essex, kent = make_council("essex-lah"), make_council("kent-oppd")
    user = User(
        username="p1", password="x", council=essex, role=Role.PROVIDER, provider=make_provider(kent)
    )
    assert _errors(user) == {"provider": ["The provider belongs to another council."]}


@pytest.mark.parametrize("role", [Role.BROKER, Role.MANAGER, Role.REFERRER, Role.INTEGRATION])
def test_only_provider_users_belong_to_a_provider(role):
    """A council user (broker, manager, referrer, integration) has no provider."""
    council = make_council()
    user = User(
        username="u1", password="x", council=council, role=role, provider=make_provider(council)
    )
    assert _errors(user) == {"provider": ["Only provider users belong to a provider."]}


def test_non_superuser_must_belong_to_a_council():
    """Every user but a superuser belongs to a council."""
    user = User(username="b1", password="x", role=Role.BROKER)
    assert _errors(user) == {"council": ["Every user but a superuser belongs to a council."]}


def test_superuser_may_have_no_council():
    """A superuser without a council is valid (they administer every council)."""
    user = User(username="root", password="x", role=Role.BROKER, is_superuser=True, is_staff=True)
    user.full_clean()
    user.save()
    assert User.objects.get(username="root").council is None


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.REFERRER, Role.INTEGRATION])
@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_only_brokers_and_managers_may_be_staff(role, flag):
    """docs/policies.md §6.2: the admin shows full records, so a provider (or referrer, or
    integration) user can never be staff or superuser; clean() says so on is_staff."""
    council = make_council()
    provider = make_provider(council) if role == Role.PROVIDER else None
    user = User(
        username="u1", password="x", council=council, role=role, provider=provider, **{flag: True}
    )
    errors = _errors(user)
    assert list(errors) == ["is_staff"]
    assert "only brokers and managers may use the admin" in errors["is_staff"][0]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.REFERRER, Role.INTEGRATION])
def test_database_refuses_staff_of_other_roles_even_without_clean(role):
    """The rule is a database constraint too: saving without full_clean() still fails."""
    user = make_user(make_council(), role)
    user.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
    user.refresh_from_db()
    assert user.is_staff is False


@pytest.mark.parametrize("role", [Role.BROKER, Role.MANAGER])
def test_brokers_and_managers_may_be_staff(role):
    """The council's own brokers and managers may be given admin access."""
    user = make_user(make_council(), role, is_staff=True)
    assert User.objects.get(pk=user.pk).is_staff is True


def test_factory_user_logs_in_with_the_shared_test_password(client):
    """make_user's users log in with tests.factories.PASSWORD (hashed once, reused)."""
    user = make_user(make_council(), Role.BROKER)
    assert client.login(username=user.username, password=PASSWORD)
    assert not client.login(username=user.username, password=PASSWORD + "x")
