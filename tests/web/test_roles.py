"""Each broker, referrer and manager page renders for its roles and refuses every other
role (403), on the demo councils; another council's objects are not found (404)."""

import pytest

from carebroker.accounts.models import Role, User
from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package

STAFF = {Role.BROKER, Role.MANAGER}
PAGES = [
    ("/packages/", STAFF),
    ("/packages/{case}/", STAFF),
    ("/packages/{case}/requests/", STAFF),
    ("/packages/{case}/cancel/", STAFF),
    ("/referrals/", STAFF),
    ("/referrals/{own_referral}/", STAFF | {Role.REFERRER}),  # a referrer: their own only
    ("/gates/", STAFF),
    ("/gates/{case}/", STAFF),
    ("/batch/", STAFF),
    ("/waiting/", {Role.MANAGER}),
    ("/overview/", {Role.MANAGER}),
    ("/referrals/new/", {Role.REFERRER}),
    ("/referrals/mine/", {Role.REFERRER}),
    ("/holds/{own_case}/", {Role.REFERRER}),
]


def _objects(prefix: str) -> dict[str, object]:
    referrer = User.objects.get(username=f"{prefix}-referrer")
    own = Referral.objects.filter(referrer=referrer).order_by("pk").first()
    package = Package.objects.filter(council=referrer.council).order_by("pk").first()
    own_package = Package.objects.filter(referral__referrer=referrer).order_by("pk").first()
    return {
        "case": package.case_number,
        "own_referral": own.pk,
        "own_case": own_package.case_number,
    }


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_each_page_opens_for_its_roles_only(demo, db, client, prefix, url, allowed):
    path = url.format(**_objects(prefix))
    for role in Role:
        client.force_login(User.objects.get(username=f"{prefix}-{role.value}"))
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_another_councils_objects_are_not_found(demo, db, client, url, allowed):
    """An Essex user asking for Kent's package, referral or hold gets 404 (never 200)."""
    if "{" not in url:
        return
    path = url.format(**_objects("kent"))
    role = sorted(allowed)[0]
    client.force_login(User.objects.get(username=f"essex-{role}"))
    assert client.get(path).status_code == 404


def test_a_visitor_is_sent_to_sign_in_from_every_page(demo, db, client):
    for url, _ in PAGES:
        path = url.format(**_objects("leics"))
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
