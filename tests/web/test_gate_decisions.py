"""Gate pages are decision pages (issue 10 items 1 and 2): on the seeded demo, a manager
reads what the gate asks, the package, the offers and declines so far, and approves,
refuses or returns the decision with a reason; every seeded gate takes its decision."""

import re

from django.test import Client

from carebroker.accounts.models import User
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package, PackageStatus
from tests.web.conftest import NOW
from tests.web.pages import clock, field_error, main_of


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _waiting(prefix: str, gate: str) -> Package:
    package = (
        Package.objects.filter(council__slug=f"demo-{prefix}", gate=gate)
        .order_by("case_number")
        .first()
    )
    assert package is not None, f"the demo has no {prefix} package at {gate}"
    return package


def _later(package: Package):
    """A time after everything on the package's timeline (the seed ran at NOW)."""
    return max(NOW, package.timeline.latest("at").at)


def test_the_kent_approval_page_is_a_decision_page(demo, db):
    package = _waiting("kent", "non_contracted_approval")
    with clock(_later(package)):
        page = main_of(_client("kent-manager").get(f"/gates/{package.case_number}/"))
    h1 = re.search(r"<h1.*?</h1>", page, re.S).group(0)
    assert "Approve going to non-contracted providers" in h1
    assert package.person.name in h1
    assert 'id="package-summary"' in page
    declines = package.requests.filter(outcome__in=("decline", "expired")).count()
    assert (
        declines
        and page.count('data-answer="decline"') + page.count('data-answer="expired"') == declines
    )
    for choice in ("approve", "refuse", "return"):
        assert f'value="{choice}"' in page
    assert "Return to Purchasing with a reason" in page
    assert "policies.md" not in page and "non_contracted" not in page


def test_approving_a_seeded_kent_gate_asks_non_contracted_providers(demo, db):
    package = _waiting("kent", "non_contracted_approval")
    with clock(_later(package)):
        response = _client("kent-manager").post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "approve"}
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.gate != "non_contracted_approval"
    assert package.timeline.filter(type="gate_passed").exists()


def test_refusing_a_seeded_kent_gate_leaves_the_package_unfilled(demo, db):
    package = _waiting("kent", "non_contracted_approval")
    with clock(_later(package)):
        response = _client("kent-manager").post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "refuse"}
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.status, package.gate) == (PackageStatus.UNFILLED, "")


def test_returning_a_decision_needs_a_reason_and_keeps_the_gate(demo, db):
    package = _waiting("kent", "later_start")
    client = _client("kent-manager")
    url = f"/gates/{package.case_number}/"
    with clock(_later(package)):
        bad = client.post(url, {"form": "gate", "gate-choice": "return", "gate-reason": " "})
        assert bad.status_code == 400
        assert field_error(bad.content.decode(), "id_gate-reason") == (
            "Enter why you are returning the decision"
        )
        good = client.post(
            url,
            {"form": "gate", "gate-choice": "return", "gate-reason": "Ask the family first"},
        )
    assert good.status_code == 302
    package.refresh_from_db()
    assert (package.status, package.gate) == (PackageStatus.ON_HOLD, "later_start")
    returned = package.timeline.get(type="gate_returned")
    assert returned.details["reason"] == "Ask the family first"
    assert returned.actor == "kent-manager"


def test_the_essex_open_market_gate_offers_the_providers_that_offered(demo, db):
    package = _waiting("essex", "open_market_choice")
    offered = package.requests.filter(outcome="offer").select_related("provider")
    assert offered.exists()
    client = _client("essex-broker")
    with clock(_later(package)):
        page = main_of(client.get(f"/gates/{package.case_number}/"))
        for request in offered:
            assert f'value="{request.provider_id}"' in page
        winner = offered.first().provider_id
        response = client.post(
            f"/gates/{package.case_number}/",
            {"form": "gate", "gate-choice": "award", "gate-provider": winner},
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.status, package.awarded_provider_id) == (PackageStatus.AWARDED, winner)


def test_the_kent_sanction_approval_lists_sanctioned_providers_of_the_area(demo, db):
    """Only sanctioned providers serving the package's area are offered, and only where
    there is one; the box cites no file."""
    live = Package.objects.filter(
        council__slug="demo-kent", status__in=(PackageStatus.SOURCING, PackageStatus.ON_HOLD)
    )
    client = _client("kent-manager")
    shown = 0
    for package in live.order_by("case_number")[:30]:
        here = set(
            Provider.objects.filter(sanctioned=True, area_ranks__area=package.area_id).values_list(
                "pk", flat=True
            )
        )
        with clock(_later(package)):
            page = main_of(client.get(f"/gates/{package.case_number}/"))
        if not here:
            assert 'id="sanction-form"' not in page
            continue
        shown += 1
        form = re.search(r'<form[^>]*id="sanction-form".*?</form>', page, re.S).group(0)
        listed = {int(pk) for pk in re.findall(r'<option value="(\d+)"', form)}
        assert listed == here
        assert ".md" not in page
    assert shown, "no live Kent package has a sanctioned provider in its area"
