"""Every referrer and provider page of every demo council, in Chromium at 1280 px and 390 px
(issue 10): people see words, never codes (no snake_case, no ISO dates or times), one h1,
a page title that says where you are, no sideways scroll on a phone, and axe finds nothing
serious or critical. Each page is screenshotted at both widths into test-artifacts/."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db.models import Count

from carebroker.accounts.models import User
from carebroker.demo.seed import DEMO_PASSWORD, seed_demo
from carebroker.engine.state import OPEN_OUTCOMES
from carebroker.engine.vocabulary import LIVE
from carebroker.referrals.models import Referral
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, SourcingRequest
from carebroker.web.summaries import GATE_OWNERS

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH = datetime(2026, 11, 23, 16, 5, tzinfo=UTC)
WIDTHS = (1280, 390)
KENT_ONLY = ("BICA", "KEaH", "Enablement was bypassed", "Signed charging letter")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}:\d{2}:\d{2}\b|\d{2}T\d{2}:")


def _paths(prefix: str) -> dict[str, list[str]]:
    council = f"demo-{prefix}"
    referrer = User.objects.get(username=f"{prefix}-referrer")
    mine = Referral.objects.filter(council__slug=council, referrer=referrer)
    if not mine.exists():  # the demo's referrals are the council's: give the login some
        Referral.objects.filter(pk__in=list(
            Referral.objects.filter(council__slug=council).values_list("pk", flat=True)[:3]
        )).update(referrer=referrer)  # fmt: skip
    referrer_paths = ["/", "/referrals/mine/", "/referrals/new/"]
    for referral in Referral.objects.filter(council__slug=council, referrer=referrer)[:3]:
        referrer_paths.append(f"/referrals/{referral.pk}/")
    gates = [g for g, owner in GATE_OWNERS.items() if owner == "Referrer"]
    held = Package.objects.filter(council__slug=council, gate__in=gates).first()
    if held is not None:
        Referral.objects.filter(pk=held.referral_id).update(referrer=referrer)
        referrer_paths += [f"/referrals/{held.referral_id}/", f"/holds/{held.case_number}/"]
    # The provider login is moved to the provider with the most open requests, so the
    # request list (the page that was 583 px wide on a phone) has rows to lay out.
    busiest = (
        SourcingRequest.objects.filter(
            package__council__slug=council, outcome__in=OPEN_OUTCOMES, package__status__in=LIVE
        )
        .values("provider")
        .annotate(n=Count("id"))
        .order_by("-n", "provider")
        .first()
    )
    rows = SourcingRequest.objects.filter(package__council__slug=council)
    if busiest is not None:
        rows = rows.filter(provider_id=busiest["provider"], outcome__in=OPEN_OUTCOMES)
    request = rows.first()
    assert request is not None, "the worker's sweep sent no request"
    User.objects.filter(username=f"{prefix}-provider").update(provider=request.provider)
    provider_paths = ["/", "/portal/", "/portal/history/", "/portal/documents/",
                      "/portal/requests/return/"]  # fmt: skip
    for row in SourcingRequest.objects.filter(provider=request.provider).order_by("-pk")[:3]:
        provider_paths.append(f"/portal/requests/{row.pk}/")
    return {"referrer": referrer_paths, "provider": provider_paths}


def _words_problems(page, name: str) -> list[str]:
    text = page.locator("body").inner_text()
    problems = [f"{name}: code {m!r}" for m in sorted(set(SNAKE.findall(text)))]
    problems += [f"{name}: ISO time {m!r}" for m in sorted(set(ISO.findall(text)))]
    if page.locator("h1").count() != 1:
        problems.append(f"{name}: {page.locator('h1').count()} h1 elements")
    title = page.title()
    if not re.search(r"\w.* – carebroker$", title) or title.startswith("carebroker"):
        problems.append(f"{name}: title {title!r} does not say where you are")
    return problems


@pytest.mark.parametrize("prefix", ["essex", "kent", "leics"])
def test_every_referrer_and_provider_page_speaks_words_and_fits_a_phone(pages, clock, prefix):
    clock.now = NOW
    seed_demo(now=NOW)
    advance_due(NOW)
    clock.now = BATCH
    advance_due(BATCH)
    problems: list[str] = []
    for role, paths in _paths(prefix).items():
        for width in WIDTHS:
            context = pages.browser.new_context(viewport={"width": width, "height": 900})
            pages.contexts.append(context)
            page = context.new_page()
            page.goto(f"{pages.base_url}/login/")
            page.fill("#id_username", f"{prefix}-{role}")
            page.fill("#id_password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("button:has-text('Sign in')")
            for path in paths:
                name = f"{prefix}-{role}{path.replace('/', '-')}{width}"
                pages.goto(page, path, name)
                problems += _words_problems(page, name)
                if path == "/referrals/new/" and prefix != "kent":  # Kent's documents only
                    text = page.locator("main").inner_text()
                    problems += [f"{name}: shows Kent's {w!r}" for w in KENT_ONLY if w in text]
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{name}: {wide} px wide at {width} px")
    assert problems == [], "\n".join(problems)
