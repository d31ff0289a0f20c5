"""The Django admin: each user sees and edits only their own council's records.

Personas: Essex and Kent councils, each with a full set of records, a broker and a
manager (staff); a superuser with no council; a provider user who is never staff.
"""

from dataclasses import dataclass

import pytest
from django.contrib.admin.sites import site
from django.db import models
from django.test import Client
from django.urls import reverse

from carebroker.accounts.models import Role, User
from carebroker.councils.areas import find_area
from carebroker.councils.models import Area, Council, PostcodeDistrict
from carebroker.providers.models import Provider
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing.models import Package
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db

# Every model with its own admin page, and how its rows lead to their council.
SCOPED_MODELS: list[tuple[type[models.Model], str]] = [
    (Council, "pk"),
    (Area, "council"),
    (PostcodeDistrict, "council"),
    (Provider, "council"),
    (Person, "council"),
    (Referral, "council"),
    (Package, "council"),
    (User, "council"),
]


@dataclass
class Side:
    council: Council
    area: Area
    provider: Provider
    package: Package
    broker: User
    manager: User


def _side(policy_name: str, district: str) -> Side:
    council = make_council(policy_name)
    area = make_area(council, "North", districts=[district])
    make_area(council, "Mid", districts=[f"{district[:-1]}9"])
    provider = make_provider(council, areas={area: 1})
    make_user(council, Role.PROVIDER, provider=provider)
    make_user(council, Role.REFERRER)
    package = make_package(council, area=area, referral=make_referral(council))
    return Side(
        council=council,
        area=area,
        provider=provider,
        package=package,
        broker=make_user(council, Role.BROKER, is_staff=True),
        manager=make_user(council, Role.MANAGER, is_staff=True),
    )


@pytest.fixture
def essex() -> Side:
    return _side("essex-lah", "CO4")


@pytest.fixture
def kent() -> Side:
    return _side("kent-oppd", "ME1")


@pytest.fixture
def root() -> User:
    return make_user(None, Role.BROKER, is_staff=True, is_superuser=True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _rows(model: type[models.Model], lookup: str, council: Council) -> set[models.Model]:
    rows = model._default_manager.filter(**{lookup: council.pk})
    if model is User:
        rows = rows.filter(is_superuser=False)
    return set(rows)


def test_every_model_has_an_admin():
    """Council, Area, PostcodeDistrict, Provider, Person, Referral, Package and User each
    have an admin page (ProviderArea and Contact are edited inline on the provider)."""
    for model, _lookup in SCOPED_MODELS:
        assert site.is_registered(model), model


@pytest.mark.parametrize(
    ("model", "lookup"), SCOPED_MODELS, ids=lambda m: getattr(m, "__name__", m)
)
@pytest.mark.parametrize("who", ["broker", "manager"])
def test_changelist_shows_only_the_users_council(essex, kent, model, lookup, who):
    """A broker's (or manager's) list of any model holds exactly their council's rows."""
    user = getattr(kent, who)
    response = _client(user).get(_url(model, "changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    own = _rows(model, lookup, kent.council)
    assert own, "the fixture must give the council rows of every model"
    assert shown == own
    assert not shown & _rows(model, lookup, essex.council)


@pytest.mark.parametrize(
    ("model", "lookup"), SCOPED_MODELS, ids=lambda m: getattr(m, "__name__", m)
)
def test_superuser_without_council_sees_every_council(essex, kent, root, model, lookup):
    """A superuser with no council sees the rows of all councils."""
    response = _client(root).get(_url(model, "changelist"))
    shown = set(response.context["cl"].result_list)
    assert _rows(model, lookup, essex.council) <= shown
    assert _rows(model, lookup, kent.council) <= shown


def _other_councils_object(model: type[models.Model], essex: Side) -> models.Model:
    return {
        Council: essex.council,
        Area: essex.area,
        PostcodeDistrict: essex.area.districts.first(),
        Provider: essex.provider,
        Person: essex.package.person,
        Referral: essex.package.referral,
        Package: essex.package,
        User: essex.broker,
    }[model]


@pytest.mark.parametrize(
    ("model", "lookup"), SCOPED_MODELS, ids=lambda m: getattr(m, "__name__", m)
)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_broker_cannot_open_another_councils_record(essex, kent, model, lookup, view):
    """Opening another council's record sends a manager back to the admin index, as if the
    record did not exist (or refuses outright where managers have no such right), and shows
    nothing of it."""
    record = _other_councils_object(model, essex)
    response = _client(kent.manager).get(_url(model, view, record.pk), follow=True)
    if view == "delete" and model in (Council, User):
        # Managers delete neither councils nor users at all: refused before any lookup.
        assert response.status_code == 403
    else:
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
        assert "doesn’t exist" in response.content.decode()
    assert str(record) not in response.content.decode()


def test_broker_can_open_their_own_councils_package(kent):
    """The same page opens for the council's own package (the refusal above is the scope)."""
    response = _client(kent.broker).get(_url(Package, "change", kent.package.pk))
    assert response.status_code == 200
    assert response.context["original"] == kent.package


def test_package_form_offers_only_the_councils_records(essex, kent):
    """Every foreign key on the package form lists only the broker's council's records,
    and the council is shown fixed to theirs."""
    response = _client(kent.broker).get(_url(Package, "add"))
    fields = response.context["adminform"].form.fields
    assert set(fields["area"].queryset) == set(Area.objects.filter(council=kent.council))
    assert set(fields["person"].queryset) == set(Person.objects.filter(council=kent.council))
    assert set(fields["referral"].queryset) == set(Referral.objects.filter(council=kent.council))
    assert set(fields["awarded_provider"].queryset) == {kent.provider}
    assert list(fields["council"].queryset) == [kent.council]
    assert fields["council"].disabled


def test_superuser_package_form_offers_every_council(essex, kent, root):
    """A superuser with no council chooses among all councils' records."""
    response = _client(root).get(_url(Package, "add"))
    fields = response.context["adminform"].form.fields
    assert {essex.area, kent.area} <= set(fields["area"].queryset)
    assert not fields["council"].disabled


def test_provider_inlines_offer_only_the_councils_areas(essex, kent):
    """A provider's area ranks can name only areas of the provider's council."""
    response = _client(kent.broker).get(_url(Provider, "change", kent.provider.pk))
    formsets = {
        fs.formset.model.__name__: fs.formset for fs in response.context["inline_admin_formsets"]
    }
    area_field = formsets["ProviderArea"].empty_form.fields["area"]
    assert set(area_field.queryset) == set(Area.objects.filter(council=kent.council))


def test_user_form_offers_only_the_councils_providers(essex, kent):
    """A manager adding a provider user can pick only their council's providers."""
    response = _client(kent.manager).get(_url(User, "add"))
    fields = response.context["adminform"].form.fields
    assert set(fields["provider"].queryset) == {kent.provider}


def test_new_record_gets_the_users_council_whatever_is_posted(essex, kent):
    """A broker adding a person cannot put it in another council: the council is theirs."""
    response = _client(kent.broker).post(
        _url(Person, "add"),
        {
            "council": essex.council.pk,
            "name": "Evie Example",
            "date_of_birth": "1950-01-31",
            "address": "2 Low Road",
            "postcode": "me1 1aa",
            "relations": "[]",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(name="Evie Example")
    assert person.council == kent.council
    assert person.postcode == "ME1 1AA"


def test_broker_cannot_choose_another_councils_area(essex, kent):
    """Posting another council's area on a package is refused and saves nothing."""
    before = Package.objects.count()
    response = _client(kent.broker).post(
        _url(Package, "change", kent.package.pk),
        {
            "referral": kent.package.referral.pk,
            "person": kent.package.person.pk,
            "case_number": kent.package.case_number,
            "area": essex.area.pk,
            "hours_per_week": "14",
            "preferred_start": "2026-12-07",
            "status": "sourcing",
            "specialisms": "[]",
        },
    )
    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    kent.package.refresh_from_db()
    assert kent.package.area == kent.area
    assert Package.objects.count() == before


def test_case_number_clash_in_the_same_council_is_a_form_error(kent):
    """The unique Mosaic ID per council is checked by the form (no server error)."""
    other = make_package(kent.council, area=kent.area)
    response = _client(kent.broker).post(
        _url(Package, "change", other.pk),
        {
            "referral": other.referral.pk,
            "person": other.person.pk,
            "case_number": kent.package.case_number,
            "area": kent.area.pk,
            "hours_per_week": "14",
            "preferred_start": "2026-12-07",
            "status": "sourcing",
            "specialisms": "[]",
        },
    )
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.non_field_errors())


def test_broker_only_looks_users_up_and_manager_adds_them(kent):
    """Brokers may view their council's users; only managers (and superusers) add them."""
    assert _client(kent.broker).get(_url(User, "add")).status_code == 403
    assert _client(kent.broker).get(_url(User, "changelist")).status_code == 200
    assert _client(kent.manager).get(_url(User, "add")).status_code == 200


def test_manager_cannot_grant_superuser(kent):
    """is_superuser, groups and permissions are read-only to council staff."""
    response = _client(kent.manager).get(_url(User, "change", kent.broker.pk))
    form_fields = response.context["adminform"].form.fields
    assert "is_superuser" not in form_fields
    assert "user_permissions" not in form_fields
    assert "is_staff" in form_fields


def test_council_staff_never_see_a_superuser_account(kent):
    """A superuser of the council is out of reach of its managers (no password reset)."""
    boss = make_user(kent.council, Role.MANAGER, is_staff=True, is_superuser=True)
    client = _client(kent.manager)
    assert boss not in set(client.get(_url(User, "changelist")).context["cl"].result_list)
    response = client.get(reverse("admin:auth_user_password_change", args=[boss.pk]))
    assert response.status_code in (302, 404)
    assert response.status_code != 200


def test_manager_cannot_make_a_provider_user_staff(kent):
    """Ticking is_staff on a provider user is refused with the rule's message."""
    provider_user = User.objects.get(council=kent.council, role=Role.PROVIDER)
    response = _client(kent.manager).post(
        _url(User, "change", provider_user.pk),
        {
            "username": provider_user.username,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-11-20",
            "date_joined_1": "09:00:00",
            "role": Role.PROVIDER,
            "provider": kent.provider.pk,
        },
    )
    assert response.status_code == 200
    assert "only brokers and managers may use the admin" in str(
        response.context["adminform"].form.errors["is_staff"]
    )
    provider_user.refresh_from_db()
    assert provider_user.is_staff is False


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.REFERRER])
def test_provider_and_referrer_users_cannot_enter_the_admin(kent, role):
    """Only staff log into the admin; a provider or referrer is sent to the admin login."""
    user = User.objects.get(council=kent.council, role=role)
    response = _client(user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_broker_delete_needs_a_manager(kent):
    """Brokers add and change records; deleting one is for a manager."""
    url = _url(Package, "delete", kent.package.pk)
    assert _client(kent.broker).get(url).status_code == 403
    assert _client(kent.manager).get(url).status_code == 200


def test_broker_sees_only_their_council_in_the_admin_index(kent):
    """A broker's admin index lists the council's models but not groups (Django rights)."""
    response = _client(kent.broker).get(reverse("admin:index"))
    models_shown = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {"Package", "Provider", "Person", "Referral", "Area", "User"} <= models_shown
    assert "Group" not in models_shown


def test_broker_adds_a_district_normalised_to_their_council(essex, kent):
    """A district typed in lower case is stored upper case, in the broker's council, and
    from then on postcodes in it find the area."""
    response = _client(kent.broker).post(
        _url(PostcodeDistrict, "add"),
        {"council": essex.council.pk, "area": kent.area.pk, "district": " me5 "},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    district = PostcodeDistrict.objects.get(area=kent.area, district="ME5")
    assert district.council == kent.council
    assert find_area(kent.council, "me5 7aa") == kent.area


def test_bad_district_in_the_admin_is_a_form_error(kent):
    """A district that is not an outward code is refused on the form with the reason."""
    response = _client(kent.broker).post(
        _url(PostcodeDistrict, "add"), {"area": kent.area.pk, "district": "QQ1"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["district"] == [
        "'QQ1' is not a UK postcode district: the outward code 'QQ1' cannot start with Q, V or X"
    ]
    assert not PostcodeDistrict.objects.filter(district="QQ1").exists()


@pytest.mark.parametrize(
    ("model", "lookup"), SCOPED_MODELS, ids=lambda m: getattr(m, "__name__", m)
)
@pytest.mark.parametrize("who", ["root", "manager"])
def test_add_and_change_pages_open_for_the_councils_staff(essex, root, model, lookup, who):
    """Every model's change page opens for a superuser and for a manager of the council,
    and its add page too where they may add (councils: superusers only)."""
    user = root if who == "root" else essex.manager
    client = _client(user)
    record = _other_councils_object(model, essex)
    assert client.get(_url(model, "change", record.pk)).status_code == 200
    may_add = who == "root" or model is not Council
    assert client.get(_url(model, "add")).status_code == (200 if may_add else 403)


def test_manager_adds_a_provider_user_to_their_council(essex, kent):
    """A manager's new user joins the manager's council, whatever council is posted."""
    response = _client(kent.manager).post(
        _url(User, "add"),
        {
            "username": "newprovider",
            "usable_password": "true",
            "password1": "a long made-up passphrase 7",
            "password2": "a long made-up passphrase 7",
            "role": Role.PROVIDER,
            "council": essex.council.pk,
            "provider": kent.provider.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newprovider")
    assert (user.council, user.provider, user.is_staff) == (kent.council, kent.provider, False)


@pytest.mark.django_db
def test_admin_login_page_opens_for_a_visitor(client):
    """A signed-out visitor gets the admin's sign-in page, not a server error."""
    response = client.get("/admin/login/")
    assert response.status_code == 200
