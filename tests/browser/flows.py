"""Steps of the happy path shared by the presets: each role through its own pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Page

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Area, Council
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.providers.models import Provider
from carebroker.referrals.models import Referral
from tests.browser.conftest import Pages
from tests.factories import make_area, make_council, make_provider, make_user


@dataclass
class Cast:
    """One council's people for a happy path: a referrer, a broker, a provider user."""

    council: Council
    area: Area
    provider: Provider
    referrer: User
    broker: User
    provider_user: User
    others: list[Provider] = field(default_factory=list)


def cast(policy: str, area: str, districts: list[str], **provider: object) -> Cast:
    council = make_council(policy)
    area_row = make_area(council, area, districts=districts)
    winner = make_provider(council, name="Hazelwood Homecare", areas={area_row: 1}, **provider)
    return Cast(
        council=council,
        area=area_row,
        provider=winner,
        referrer=make_user(council, Role.REFERRER),
        broker=make_user(council, Role.BROKER),
        provider_user=make_user(council, Role.PROVIDER, provider=winner),
    )


def fill(page, name: str, value: str) -> None:
    """Fill one field as a person would: a GOV.UK date input day, month and year ("2026-12-07"
    written ISO here), a list by choosing, any other by typing."""
    if page.locator(f"#id_{name}_day").count():
        year, month, day = value.split("-")
        page.fill(f"#id_{name}_day", str(int(day)))
        page.fill(f"#id_{name}_month", str(int(month)))
        page.fill(f"#id_{name}_year", year)
    elif page.locator(f"select#id_{name}").count():
        page.select_option(f"#id_{name}", value)
    else:
        page.fill(f"#id_{name}", value)


def refer(pages: Pages, people: Cast, fields: dict[str, str], documents: list[str]) -> Referral:
    """The referrer fills the referral form and sends it."""
    page = pages.sign_in(people.referrer.username)
    pages.goto(page, "/referrals/new/", "referral-form")
    for name, value in fields.items():
        fill(page, name, value)
    for document in documents:
        page.check(f"input[name=documents][value={document}]")
    with page.expect_navigation():
        page.click("#send-referral")
    pages.look(page, "referral-sent")
    referral = Referral.objects.filter(council=people.council).latest("pk")
    assert f"/referrals/{referral.pk}/" in page.url
    return referral


def check(pages: Pages, people: Cast, referral: Referral) -> str:
    """The broker checks the referral (accepted) and confirms the provider view: its package
    goes into sourcing."""
    page = pages.sign_in(people.broker.username)
    pages.goto(page, "/referrals/", "referrals-to-check")
    pages.goto(page, f"/referrals/{referral.pk}/", "referral-to-check")
    with page.expect_navigation():
        page.click("#check-referral")
    pages.look(page, "referral-checked")
    referral.refresh_from_db()
    assert referral.status == "accepted", referral.missing
    case = referral.packages.get().case_number
    # The check leads to what providers will see (issue 12 finding 11): the broker confirms
    # it, and only then does the first request go out.
    assert f"/packages/{case}/provider-view/" in page.url
    with page.expect_navigation():
        page.click("#confirm-view")
    pages.look(page, "provider-view-confirmed")
    pages.goto(page, f"/packages/{case}/", "package-in-sourcing")
    return case


def provider_answers(pages: Pages, people: Cast, case: str, label: str, **fields: str) -> None:
    """The provider opens the request from its list and answers it."""
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/", "portal-requests")
    with page.expect_navigation():
        page.click(f"a:has-text('{case}')")
    pages.look(page, "portal-request")
    text = page.content()
    assert "Answer by" in text
    page.check(f"label:has-text('{label}')")
    for selector, value in fields.items():
        fill(page, selector, value)
    with page.expect_navigation():
        page.click("button:has-text('Send answer')")
    pages.look(page, "portal-answered")
    assert "was received" in page.content()


def provider_interested(pages: Pages, people: Cast, case: str) -> None:
    """The provider ticks the package on today's batch and sends its interest."""
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/", "portal-batch")
    row = page.locator("[data-batch] tr", has_text=case)
    row.locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.click("button:has-text('Send interest in the ticked packages')")
    pages.look(page, "portal-interest-sent")
    assert "your answer (interested) was received" in page.content()


def award_seen(pages: Pages, people: Cast, case: str) -> None:
    """The broker's package page and the winner's history both show the award."""
    page = pages.sign_in(people.broker.username)
    pages.goto(page, f"/packages/{case}/", "broker-sees-award")
    text = page.content()
    assert "Awarded" in text and people.provider.name in text
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/history/", "provider-sees-award")
    rows = page.locator("[data-history] tbody tr", has_text=case)
    assert rows.count() >= 1
    assert rows.filter(has_text="Awarded to you").count() == rows.count()


def ipa_signed_and_countersigned(pages: Pages, people: Cast, case: str, start: str, tmp) -> None:
    """Leicestershire after the award (seed 004 step 24): the winner returns the IPA signed
    in the portal, the broker checks the start date and countersigns it, and the winner
    finds the countersigned copy among its documents."""
    sent = PlacementDocument.objects.get(
        package__case_number=case, kind=DocumentKind.IPA, filename__endswith=".pdf"
    )
    signed = tmp / "signed IPA.pdf"
    signed.write_bytes(bytes(sent.content))  # signed as sent, for the test
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/documents/", "portal-ipa-to-sign")
    with page.expect_navigation():
        page.click("a[data-return-signed]")
    pages.look(page, "portal-return-signed-ipa")
    page.set_input_files("#id_file", str(signed))
    with page.expect_navigation():
        page.click("button:has-text('Send the signed IPA')")
    pages.look(page, "portal-signed-ipa-sent")
    assert "your signed IPA for package" in page.content()
    page = pages.sign_in(people.broker.username)
    pages.goto(page, f"/packages/{case}/", "broker-ipa-to-countersign")
    fill(page, "countersign-start", start)
    with page.expect_navigation():
        page.click("#countersign")
    pages.look(page, "broker-ipa-countersigned")
    text = page.content()
    assert "is countersigned and sent back" in text and "Countersigned IPA for" in text
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/documents/", "portal-countersigned-ipa")
    assert "Countersigned IPA for" in page.content()


def confirmation_returned(pages: Pages, people: Cast, case: str, start: str, calls: str) -> None:
    """Kent after acceptance (docs/policies.md §5): the winner finds the Provider Confirmation
    Form among its requests and answers, and returns it in the portal with the start date
    and call times; the broker's package page shows the placement confirmed in words."""
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/history/", "portal-confirmation-to-return")
    with page.expect_navigation():
        page.click("a[data-confirmation-link]")
    pages.look(page, "portal-confirmation-form")
    fill(page, "start", start)
    fill(page, "call_times", calls)
    with page.expect_navigation():
        page.click("button:has-text('Send the confirmation')")
    pages.look(page, "portal-confirmation-sent")
    assert "your Provider Confirmation Form for package" in page.content()


def sdo_and_finance_recorded(pages: Pages, people: Cast, case: str) -> Page:
    """The Purchasing Officer sends the Service Delivery Order, then records the financial
    assessment as asked for, from the package page; nothing is then due after the award,
    and the SDO is listed with the package and for the winner in the portal. Returns the
    broker's page (signed in) for what follows."""
    page = pages.sign_in(people.broker.username)
    pages.goto(page, f"/packages/{case}/", "broker-sdo-due")
    steps = page.locator("[data-after-award-steps]").inner_text()
    assert "The Service Delivery Order" in steps and "Due by" in steps
    for step, said in (
        ("service_delivery_order", "the Service Delivery Order is sent to the provider"),
        ("financial_assessment", "the financial assessment is recorded as asked for"),
    ):
        with page.expect_navigation():
            page.click(f"button[data-step={step}]")
        pages.look(page, f"broker-{step.replace('_', '-')}-recorded")
        assert said in page.content()
    assert "Nothing is due" in page.locator("[data-after-award-steps]").inner_text()
    sdo = f"Service Delivery Order for {people.provider.name}"
    assert sdo in page.locator("#documents-list").inner_text()
    winner = pages.sign_in(people.provider_user.username)
    pages.goto(winner, "/portal/documents/", "portal-sdo")
    assert sdo in winner.content()
    return page


def review_recorded(pages: Pages, page: Page, case: str, outcome: str) -> str:
    """The broker opens the Reviews page, follows the package's due review and records its
    outcome; the package page then says so. Returns the package page's text."""
    pages.goto(page, "/reviews/", "reviews-due")
    row = page.locator("[data-reviews] tbody tr", has_text=case)
    assert "Due" in row.inner_text()
    with page.expect_navigation():
        row.locator("a").click()
    pages.look(page, "review-form")
    page.check(f"label:has-text('{outcome}')")
    page.fill("#id_notes", "Ada is happy with her carers; the calls are on time.")
    with page.expect_navigation():
        page.click("button:has-text('Record the review')")
    pages.look(page, "review-recorded")
    assert f"/packages/{case}/" in page.url
    return page.inner_text("main")


def assessment_accepted(pages: Pages, people: Cast, case: str, start: str) -> None:
    """Essex (docs/policies.md §4.2 Assessment): the provider that asked to assess finds its
    request again in the portal and says it takes the package, with its start date."""
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/", "portal-assessment-to-report")
    with page.expect_navigation():
        page.click(f"a:has-text('{case}')")
    pages.look(page, "portal-after-assessment")
    assert "After your assessment" in page.content()
    page.check("label:has-text('We have assessed the person and take the package')")
    fill(page, "start", start)
    with page.expect_navigation():
        page.click("button:has-text('Send answer')")
    pages.look(page, "portal-assessment-done")
    assert "your answer (you take the package) was received" in page.content()


def commencement_and_purchase_order(pages: Pages, people: Cast, case: str, order: str) -> None:
    """Essex after the award (docs/policies.md §4 After the award): the commencement letter
    is listed for the winner in the portal and on the package page, where the broker then
    records the purchase order."""
    letter = f"Commencement letter for {people.provider.name}"
    page = pages.sign_in(people.provider_user.username)
    pages.goto(page, "/portal/documents/", "portal-commencement-letter")
    assert letter in page.content()
    page = pages.sign_in(people.broker.username)
    pages.goto(page, f"/packages/{case}/", "broker-commencement-letter")
    assert letter in page.locator("#documents-list").inner_text()
    assert "No purchase order recorded yet" in page.content()
    page.fill("#id_purchase-order-reference", order)
    with page.expect_navigation():
        page.click("button:has-text('Record the purchase order')")
    pages.look(page, "broker-purchase-order-recorded")
    said = f"Purchase order {order} is recorded for package {case}, at £21.50 an hour"
    assert said in page.content()
    assert order in page.locator("#purchase-order-list").inner_text()
    assert "Purchase order recorded" in page.locator("#timeline-list").inner_text()
