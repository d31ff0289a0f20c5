"""An Essex provider's question in Chromium (issue 10 item 6): asked on an urgent call in the
portal, it reaches the package page as a question (not "Documents requested"); the broker
answers there and the provider reads the answer in the portal."""

from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import SourcingRequest
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_an_essex_question_reaches_the_package_page_and_its_answer_the_portal(pages, clock):
    clock.now = NOW
    council = make_council("essex-lah")
    area = make_area(council, "North", districts=["CO4"])
    provider = make_provider(council, name="Alder Homecare", areas={area: 1}, tier=1)
    provider_user = make_user(council, Role.PROVIDER, provider=provider)
    broker = make_user(council, Role.BROKER)
    referral = make_referral(council, make_person(council, postcode="CO4 3SQ"))
    package = make_package(council, referral=referral, area=area, urgent=True)
    do_submit_referral(referral, NOW)
    row = SourcingRequest.objects.get(package=package, provider=provider)
    clock.now = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    page = pages.sign_in(provider_user.username)
    pages.goto(page, f"/portal/requests/{row.pk}/", "essex-request")
    page.check("label:has-text('Ask a question')")
    page.fill("#id_text", "Is there a hoist in the home?")
    with page.expect_navigation():
        page.click("#send-answer")
    pages.look(page, "essex-question-sent")
    staff = pages.sign_in(broker.username)
    pages.goto(staff, f"/packages/{package.case_number}/", "package-with-question")
    questions = staff.locator("#questions")
    assert questions.count() == 1
    assert "Is there a hoist in the home?" in staff.content()
    assert "Documents requested" not in staff.locator("main").inner_text()
    answer_box = staff.locator("[data-question] textarea[name=query-answer]")
    answer_box.fill("Yes, a ceiling hoist in the bedroom.")
    with staff.expect_navigation():
        staff.click("button:has-text('Send the answer to every provider')")
    pages.look(staff, "question-answered")
    pages.goto(page, f"/portal/requests/{row.pk}/", "essex-answer-seen")
    answer = page.locator("[data-questions]").inner_text()
    assert "Is there a hoist in the home?" in answer
    assert "Yes, a ceiling hoist in the bedroom." in answer
