"""The provider's answer form in Chromium: each answer's details stay hidden until its
radio is chosen (GOV.UK conditional reveals), and the start date is the GOV.UK date input,
never the browser's date picker (issue 10 item 5)."""

from datetime import UTC, datetime

import pytest

from carebroker.sourcing.models import SourcingRequest
from tests.portal.worlds import kent_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_answer_details_are_hidden_until_their_answer_is_chosen(pages, clock):
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    row = SourcingRequest.objects.filter(package=world.packages[0]).latest("seq")
    page = pages.sign_in(world.user_a.username)
    pages.goto(page, f"/portal/requests/{row.pk}/", "answer-form")
    for selector in ("#id_rate", "#id_reason_0", "#id_text", "#id_until_date_day"):
        assert not page.locator(selector).is_visible(), f"{selector} shows before a choice"
    assert page.locator("input[type=date]").count() == 0
    page.check("label:has-text('Make an offer')")
    assert page.locator("#id_rate").is_visible()
    assert page.locator("#id_start_day").is_visible()
    assert not page.locator("#id_reason_0").is_visible()
    assert not page.locator("#id_part").is_visible()
    page.check("label:has-text('Only part of it')")
    assert page.locator("#id_part").is_visible()
    pages.look(page, "offer-in-part-chosen")
    page.check("label:has-text('Decline')")
    assert page.locator("#id_reason_0").is_visible()
    assert not page.locator("#id_rate").is_visible()
    page.check("label:has-text('Ask a question')")
    assert page.locator("#id_text").is_visible()
    pages.look(page, "question-chosen")
    page.fill("#id_text", "Is there parking near the house?")
    with page.expect_navigation():
        page.click("#send-answer")
    pages.look(page, "question-sent")
    assert "your answer (a question) was received" in page.content()
