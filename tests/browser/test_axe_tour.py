"""Every page of every role on the demo data, in Chromium at 1280 px and 390 px: axe finds
no serious or critical violation and no page shows a stack trace (issue 5 item 5, issue 10).
The demo councils are seeded and the worker's first sweep starts their packages, so lists
and requests have rows. Each page is loaded once per role and checked at both widths (the
viewport resized in place), so the phone width costs an axe run per page, not a second
tour. The admin's index and main lists are checked the same way, once (the admin sees every
council)."""

from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import User
from carebroker.demo.seed import ADMIN_USERNAME, DEMO_PASSWORD, seed_demo
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, SourcingRequest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH = datetime(2026, 11, 23, 16, 5, tzinfo=UTC)
WIDTHS = (1280, 390)
ADMIN_PAGES = [
    "/admin/",
    "/admin/sourcing/package/",
    "/admin/referrals/referral/",
    "/admin/providers/provider/",
    "/admin/outbox/notice/",
    "/admin/accounts/user/",
]
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
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        visits = [(path, f"{role}{path.replace('/', '-')}") for path in paths]
        if role == "broker":
            package = Package.objects.filter(council__slug=f"demo-{prefix}").first()
            assert package is not None
            visits.append((f"/packages/{package.case_number}/", "broker-package"))
        if role == "provider":
            visits.append((f"/portal/requests/{request.pk}/", "provider-request"))
        for path, name in visits:
            response = page.goto(f"{pages.base_url}{path}")
            assert response is not None and response.status == 200, f"{path}: not shown"
            pages.look_at_widths(page, name, WIDTHS)
    assert len(pages.checked) >= len(WIDTHS) * sum(len(paths) for paths in PAGES.values())
    if prefix == "essex":  # the admin sees every council: once is enough
        _check_admin(pages)


def _check_admin(pages) -> None:
    """The admin's pages at both widths: shown, and passing axe like every other page."""
    page = pages.sign_in(ADMIN_USERNAME, DEMO_PASSWORD)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    for path in ADMIN_PAGES:
        response = page.goto(f"{pages.base_url}{path}")
        assert response is not None and response.status == 200, f"{path}: not shown"
        assert "/login/" not in page.url, f"{path}: the admin was sent to sign in"
        pages.look_at_widths(page, f"admin{path.replace('/', '-')}", WIDTHS)
