"""Every page of every role on the demo data, in Chromium: axe finds no serious or critical
violation and no page shows a stack trace (issue 5 item 5). The demo councils are seeded
and the worker's first sweep starts their packages, so lists and requests have rows."""

from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import User
from carebroker.demo.seed import DEMO_PASSWORD, seed_demo
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, SourcingRequest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH = datetime(2026, 11, 23, 16, 5, tzinfo=UTC)
PAGES = {
    "broker": ["/", "/packages/", "/referrals/", "/batch/", "/gates/"],
    "manager": ["/", "/waiting/", "/overview/", "/gates/", "/reports/", "/reports/dashboard/"],
    "referrer": ["/", "/referrals/mine/", "/referrals/new/"],
    "provider": ["/", "/portal/", "/portal/history/", "/portal/documents/"],
}


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
def test_every_page_of_every_role_passes_axe(pages, clock, prefix):
    """Each demo role's pages, and one package page and one request page, pass axe."""
    clock.now = NOW
    seed_demo(now=NOW)
    advance_due(NOW)  # the worker adopts the seeded packages: requests go out
    clock.now = BATCH
    advance_due(BATCH)  # Essex: the 16:00 batch
    # The provider login works for a provider that was approached (made-up data: moved).
    request = SourcingRequest.objects.filter(package__council__slug=f"demo-{prefix}").first()
    assert request is not None, "the worker's sweep sent no request"
    User.objects.filter(username=f"{prefix}-provider").update(provider=request.provider)
    for role, paths in PAGES.items():
        page = pages.sign_in(f"{prefix}-{role}", DEMO_PASSWORD)
        for path in paths:
            pages.goto(page, path, f"{role}{path.replace('/', '-')}")
        if role == "broker":
            package = Package.objects.filter(council__slug=f"demo-{prefix}").first()
            assert package is not None
            pages.goto(page, f"/packages/{package.case_number}/", "broker-package")
        if role == "provider":
            pages.goto(page, f"/portal/requests/{request.pk}/", "provider-request")
    assert len(pages.checked) >= sum(len(paths) for paths in PAGES.values())
