"""Keyboard alone works, with the focus always visible; error pages (404, a form with
mistakes) are GOV.UK pages that say what to do, never a stack trace; axe on each."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page

from carebroker.sourcing.models import SourcingRequest
from tests.factories import PASSWORD
from tests.portal.worlds import kent_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

# GOV.UK focus: an outline or a yellow box shadow on the element, or for a radio or
# checkbox (the input itself is invisible) on its label's drawn circle or box.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const drawn = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                       || (s.boxShadow && s.boxShadow !== 'none');
  if (drawn(getComputedStyle(el))) return true;
  if (el.type === 'radio' || el.type === 'checkbox') {
    const label = document.querySelector(`label[for="${el.id}"]`);
    return !!label && (drawn(getComputedStyle(label, '::before'))
                       || drawn(getComputedStyle(label, '::after')));
  }
  return false;
}"""


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus; every element on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate(FOCUS_VISIBLE), f"focus not visible on {focused}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_sign_in_and_answer_with_the_keyboard_alone(pages, clock):
    """A provider signs in and declines a request using only Tab, typing, Space, arrows
    and Enter; the focus is visible at every stop and the answer is recorded."""
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    row = SourcingRequest.objects.get(provider=world.provider_a)
    page = pages.new_page()
    pages.goto(page, "/login/", "keyboard-sign-in")
    tab_to(page, "#id_username")
    page.keyboard.type(world.user_a.username)
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login/" not in page.url
    pages.look(page, "keyboard-signed-in")
    pages.goto(page, f"/portal/requests/{row.pk}/", "keyboard-request")
    tab_to(page, "input[name=action]")  # a radio group is one stop: arrows choose in it
    for _ in range(8):
        if page.evaluate("() => document.activeElement.value") == "decline":
            break
        page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name=action][value=decline]")
    tab_to(page, "input[name=reason]")  # the reasons, revealed under "Decline"
    page.keyboard.press("Space")  # the first reason: no carers free
    tab_to(page, "#send-answer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    pages.look(page, "keyboard-answered")
    row.refresh_from_db()
    assert (row.outcome, row.reason) == ("decline", "no_capacity")


def test_not_found_page_has_no_stack_trace(pages, clock):
    """Another provider's request and an unknown address: the GOV.UK "Page not found"."""
    world = kent_world()
    row = SourcingRequest.objects.get(provider=world.provider_a)
    page = pages.sign_in(world.user_b.username)
    for path, name in ((f"/portal/requests/{row.pk}/", "not-ours"), ("/no-such-page/", "unknown")):
        response = page.goto(f"{pages.base_url}{path}")
        assert response is not None and response.status == 404
        pages.look(page, f"404-{name}")
        assert "Page not found" in page.content()


def test_a_form_with_mistakes_shows_the_error_summary(pages, clock):
    """A decline without a reason: the error summary links to the field, nothing else."""
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    row = SourcingRequest.objects.get(provider=world.provider_a)
    page = pages.sign_in(world.user_a.username)
    pages.goto(page, f"/portal/requests/{row.pk}/", "bad-form-request")
    page.check("input[name=action][value=decline]")
    with page.expect_navigation():
        page.click("button:has-text('Send answer')")
    pages.look(page, "bad-form-errors")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    link = summary.locator("a", has_text="Select why you are declining")
    assert link.get_attribute("href") == "#id_reason_0"  # the first of the reasons
    assert page.title().startswith("Error: ")
