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
    "broker": ["/", "/packages/", "/referrals/", "/batch/", "/gates/", "/reviews/"],
    "manager": ["/", "/waiting/", "/overview/", "/gates/", "/reports/", "/reports/dashboard/"],
    "referrer": ["/", "/referrals/mine/", "/referrals/new/"],
    "provider": ["/", "/portal/", "/portal/history/", "/portal/documents/", "/portal/placements/"],
}


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
def test_every_page_of_every_role_passes_axe(pages, clock, prefix):
    """Each demo role's pages, and one package page and one request page, pass axe."""
    clock.now = NOW
    seed_demo(now=NOW)
    advance_due(NOW)  # the worker adopts the seeded packages: requests go out
    clock.now = BATCH
    advance_due(BATCH)  # Essex: the 16:00 batch
    # The provider login works for a provider with a placement, so its placement pages have
    # a row to hand back (made-up data: moved).
    packages = Package.objects.filter(council__slug=f"demo-{prefix}").order_by("case_number")
    placed = packages.filter(status="awarded").first()
    assert placed is not None and placed.awarded_provider is not None, "no demo placement"
    request = SourcingRequest.objects.filter(provider=placed.awarded_provider).first()
    assert request is not None, "the winner has no request"
    User.objects.filter(username=f"{prefix}-provider").update(provider=placed.awarded_provider)
    for role, paths in PAGES.items():
        page = pages.sign_in(f"{prefix}-{role}", DEMO_PASSWORD)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        visits = [(path, f"{role}{path.replace('/', '-')}") for path in paths]
        if role == "broker":
            package = packages.first()
            assert package is not None
            visits.append((f"/packages/{package.case_number}/", "broker-package"))
            # After the award: the placement's page (Essex: the purchase order form; Kent:
            # the steps after acceptance) and its review form.
            visits.append((f"/packages/{placed.case_number}/", "broker-placement"))
            visits.append((f"/packages/{placed.case_number}/review/", "broker-review-form"))
        if role == "manager":  # subject access and erasure
            visits.append((f"/packages/{placed.case_number}/personal-data/erase/", "erase"))
        if role == "provider":
            visits.append((f"/portal/requests/{request.pk}/", "provider-request"))
            visits.append((f"/portal/placements/{placed.pk}/hand-back/", "provider-hand-back"))
            if prefix == "kent":  # several at once, with notice: Kent's handback rule (§5)
                visits.append(("/portal/placements/hand-back-several/", "provider-notice"))
        for path, name in visits:
            response = page.goto(f"{pages.base_url}{path}")
            assert response is not None and response.status == 200, f"{path}: not shown"
            pages.look_at_widths(page, name, WIDTHS)
        if role == "broker":
            _check_forms_with_errors(pages, page, prefix, placed.case_number)
    assert len(pages.checked) >= len(WIDTHS) * sum(len(paths) for paths in PAGES.values())
    if prefix == "essex":  # the admin sees every council: once is enough
        _check_admin(pages)


def _check_forms_with_errors(pages, page, prefix: str, case: str) -> None:
    """The forms after the award, sent empty: their error pages pass axe too (the review
    form; Essex's purchase order form on the package page)."""
    forms = [(f"/packages/{case}/review/", "button:has-text('Record the review')", "review")]
    if prefix == "essex":
        forms.append((f"/packages/{case}/", "button:has-text('Record the purchase order')",
                      "purchase-order"))  # fmt: skip
    for path, button, name in forms:
        page.goto(f"{pages.base_url}{path}")
        with page.expect_navigation():
            page.click(button)
        assert page.locator(".govuk-error-summary").count() == 1, f"{name}: no error summary"
        pages.look_at_widths(page, f"broker-{name}-error", WIDTHS)


def _check_admin(pages) -> None:
    """The admin's pages at both widths: shown, and passing axe like every other page."""
    page = pages.sign_in(ADMIN_USERNAME, DEMO_PASSWORD)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    for path in ADMIN_PAGES:
        response = page.goto(f"{pages.base_url}{path}")
        assert response is not None and response.status == 200, f"{path}: not shown"
        assert "/login/" not in page.url, f"{path}: the admin was sent to sign in"
        pages.look_at_widths(page, f"admin{path.replace('/', '-')}", WIDTHS)
