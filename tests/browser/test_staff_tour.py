"""Every staff page of every demo role, per preset, in Chromium at 1280 and 390 px (issue 10
items 3, 9, 10): the visible text has no snake_case word, ISO time or Python literal; each
page has one h1, a title saying where you are and a way back (breadcrumbs, a back link or
the navigation marking the page); at 390 px nothing scrolls sideways and the navigation
folds behind "Menu"; axe finds nothing serious or critical. Screenshots of every page at
both widths go to var/test-artifacts/screenshots/staff-tour/<preset>/<role>/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carebroker.demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import BLOCKING, _real_nodes, screenshot
from tests.web.staff_tour import codes_in, staff_paths

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WIDTHS = (1280, 390)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _name(path: str) -> str:
    return re.sub(r"[^\w]+", "-", path).strip("-") or "home"


def _look(page, axe, path: str) -> list[str]:
    """What is wrong with the page as it is now, in words."""
    problems = []
    text = page.inner_text("body")
    codes = codes_in(text)
    if codes:
        problems.append(f"codes {sorted(set(codes))[:8]}")
    if page.locator("h1").count() != 1:
        problems.append(f"{page.locator('h1').count()} h1")
    title = page.title()
    if not title or title.startswith("carebroker"):
        problems.append(f"title {title!r} does not say where you are")
    way_back = page.locator(
        ".govuk-breadcrumbs, .govuk-back-link, #navigation [aria-current=page]"
    ).count()
    if not way_back:
        problems.append("no breadcrumbs, back link or current navigation item")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        problems.append(f"scrolls sideways: {width} px wide at {viewport} px")
    results = axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in nodes][:2]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING and (nodes := _real_nodes(v))
    ]
    if bad:
        problems.append(f"axe {bad}")
    return problems


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
def test_every_staff_page_reads_in_words_and_fits_a_phone(browser, axe, live_server, clock,
                                                          settings, prefix):  # fmt: skip
    clock.now = NOW
    settings.PASSWORD_HASHERS = FAST_HASHERS  # 16 demo logins; the hasher is not under test
    seed_demo(now=NOW)
    found: dict[str, list[str]] = {}
    seen = 0
    for role in ("broker", "manager"):
        paths = staff_paths(prefix, role)
        for width in WIDTHS:
            folder = SHOTS / "staff-tour" / prefix / role / str(width)
            folder.mkdir(parents=True, exist_ok=True)
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", f"{prefix}-{role}")
            page.fill("#id_password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("button:has-text('Sign in')")
            if width < 641:
                # GOV.UK service navigation folds behind its "Menu" button on a phone.
                assert page.locator(".govuk-service-navigation__toggle").is_visible()
                assert not page.locator("#navigation").is_visible()
                page.click(".govuk-service-navigation__toggle")
                assert page.locator("#navigation").is_visible()
            for index, path in enumerate(paths):
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None
                page.wait_for_load_state("networkidle")
                screenshot(page, folder / f"{index:02d}-{_name(path)}.png")
                seen += 1
                problems = [f"status {response.status}"] if response.status != 200 else []
                problems += _look(page, axe, path)
                if problems:
                    found[f"{role} {width}px {path}"] = problems
            context.close()
    assert seen >= 4 * len(WIDTHS)
    assert found == {}, "\n".join(f"{where}: {what}" for where, what in found.items())
