"""Each demo role's home page: its role and council, only its own council's records."""

import re

import pytest

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.demo.presets import DEMO_COUNCILS
from carebroker.providers.models import Provider
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing.models import Package, PackageStatus
from carebroker.web.views import ON_HOLD_SHOWN
from carebroker.web.words import gate_words, owner_words
from tests.factories import make_council, make_provider, make_user

DEMO_LOGINS = [(spec.prefix, spec.name, role) for spec in DEMO_COUNCILS for role in Role]


def main_of(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


@pytest.mark.parametrize(("prefix", "council_name", "role"), DEMO_LOGINS)
def test_each_demo_login_reaches_a_home_naming_its_role_and_council_only(
    demo, db, sign_in, prefix, council_name, role
):
    """Every demo login signs in with the demo password; the h1 names its role (as the
    council names it: Kent's Area Support Manager) and council, and no other council."""
    response = sign_in(f"{prefix}-{role.value}")
    page = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    h1 = re.search(r"<h1.*?</h1>", page, re.S).group(0)
    assert council_name in h1
    policy = next(spec.policy_name for spec in DEMO_COUNCILS if spec.prefix == prefix)
    named = role.value in ("broker", "manager", "referrer")
    assert (owner_words(role.value, policy) if named else role.label) in h1
    for other in DEMO_COUNCILS:
        if other.name != council_name:
            assert other.name not in page


def test_broker_home_counts_own_council_packages_by_status(demo, db, sign_in):
    """The broker sees, per status, the number of their council's packages."""
    council = Council.objects.get(slug="demo-kent")
    page = sign_in("kent-broker").content.decode()
    for status in PackageStatus:
        expected = Package.objects.filter(council=council, status=status).count()
        assert f'data-status="{status.value}">{expected}<' in page


def test_manager_home_lists_own_council_packages_on_hold(demo, db, sign_in):
    """The manager sees the on-hold count and the on-hold packages of their council, no other's."""
    council = Council.objects.get(slug="demo-leics")
    on_hold = Package.objects.filter(council=council, status=PackageStatus.ON_HOLD)
    page = main_of(sign_in("leics-manager"))
    assert f'data-count="on_hold">{on_hold.count()}<' in page
    for package in on_hold.order_by("referral__received_at", "case_number")[:ON_HOLD_SHOWN]:
        assert f">{package.case_number}<" in page
        assert gate_words(package.gate) in page  # the gate in words, not its code
    others = Package.objects.exclude(council=council).filter(status=PackageStatus.ON_HOLD)
    assert others.exists()
    for package in others:
        assert f">{package.case_number}<" not in page


def test_referrer_home_lists_only_own_referrals(demo, db, sign_in):
    """The referrer sees their own referrals; people referred by others are not shown."""
    referrer = User.objects.get(username="essex-referrer")
    own = Referral.objects.filter(referrer=referrer)
    page = main_of(sign_in("essex-referrer"))
    assert f'data-count="referrals">{own.count()}<' in page
    for referral in own.order_by("-received_at")[:20]:
        assert referral.person.name in page
    own_names = set(own.values_list("person__name", flat=True))
    not_theirs = Person.objects.exclude(name__in=own_names).values_list("name", flat=True)
    assert not_theirs
    for name in not_theirs:
        assert name not in page


def test_provider_home_shows_its_organisation_and_no_person(demo, db, sign_in):
    """A provider user sees its own organisation's name, no other provider and no person."""
    user = User.objects.get(username="kent-provider")
    page = main_of(sign_in("kent-provider"))
    assert user.provider.name in page
    for name in Person.objects.values_list("name", flat=True):
        assert name not in page
    for provider in Provider.objects.filter(council=user.council).exclude(pk=user.provider_id):
        assert provider.name not in page


def test_integration_home_promises_no_api_that_does_not_exist(demo, db, sign_in):
    """An integration login has nothing to do on the web; its home says there is no API
    yet instead of promising one (issue 10 item 9)."""
    page = main_of(sign_in("leics-integration"))
    assert "JSON API" not in page
    assert "no API" in page
    assert "data-status" not in page


def test_administrator_home_links_to_the_admin(demo, db, sign_in):
    """The superuser belongs to no council: its home names no council and links to the admin."""
    page = sign_in("admin").content.decode()
    assert '<h1 class="govuk-heading-l">Administrator</h1>' in page
    assert 'href="/admin/"' in page
    for spec in DEMO_COUNCILS:
        assert spec.name not in page


def test_header_shows_council_role_and_sign_out_with_one_h1_and_landmarks(demo, db, sign_in):
    """The service navigation names the signed-in user's council and role, with Sign out;
    the page has one h1 and the header, navigation, main and footer landmarks."""
    page = sign_in("essex-manager").content.decode()
    header = re.search(r"<header.*?</header>", page, re.S).group(0)
    assert "Essex County Council (Demo)" in header
    assert "Service Placement Team manager" in header  # the role in Essex's own words
    assert "Sign out" in header
    # One h1, and the landmarks a screen reader user jumps between.
    assert page.count("<h1") == 1
    for landmark in (
        "<header",
        "<nav",
        '<main class="govuk-main-wrapper" id="main-content"',
        "<footer",
    ):
        assert landmark in page


@pytest.mark.django_db
def test_provider_home_links_to_the_portal(client):
    """A provider user reaches the portal from their home page (requests, history, documents)."""
    council = make_council("essex-lah")
    provider = make_provider(council)
    client.force_login(make_user(council, "provider", provider=provider))
    body = client.get("/").content.decode()
    for url in ("/portal/", "/portal/history/", "/portal/documents/"):
        assert f'href="{url}"' in body
