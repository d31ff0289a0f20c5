"""Every staff page of a demo council, for the tours that read them (issue 10 item 3, 9, 10):
the lists, one package page per status and gate, each gate page, the referrals, and the
pages after the award (reviews, a review form, a manager's personal data page)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package

# A code a person should never read: a snake_case word, an ISO time, a Python literal.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?\b")
PYTHON = re.compile(r"\b(?:True|False)\b|:\s*None\b")  # "None" alone is a word


def codes_in(text: str) -> list[str]:
    return SNAKE.findall(text) + ISO_TIME.findall(text) + PYTHON.findall(text)


class _Text(HTMLParser):
    """The text a person reads: no script, style or template, no attribute values."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ANN001
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def staff_paths(prefix: str, role: str) -> list[str]:
    """The pages a broker or manager of demo council `prefix` works in."""
    council = f"demo-{prefix}"
    paths = ["/", "/today/", "/packages/", "/referrals/", "/gates/", "/changes/", "/providers/"]
    paths.append("/reviews/")
    if prefix == "essex":
        paths.append("/batch/")
    if role == "manager":
        paths += ["/waiting/", "/overview/", "/reports/dashboard/"]
    packages = Package.objects.filter(council__slug=council)
    seen = set()
    for package in packages.order_by("case_number"):
        key = (package.status, package.gate)
        if key in seen:
            continue
        seen.add(key)
        paths.append(f"/packages/{package.case_number}/")
        if package.gate:
            paths.append(f"/gates/{package.case_number}/")
    # After the award: a placement's review form; a manager's personal data page (subject
    # access and erasure). The purchase order form is on an awarded Essex package's page.
    placed = packages.filter(status="awarded").order_by("case_number").first()
    if placed is not None:
        paths.append(f"/packages/{placed.case_number}/review/")
    first = packages.order_by("case_number").first()
    if role == "manager" and first is not None:
        paths.append(f"/packages/{first.case_number}/personal-data/erase/")
    referrals = Referral.objects.filter(council__slug=council).order_by("pk")
    for status in ("received", "returned", "accepted"):
        referral = referrals.filter(status=status).first()
        if referral is not None:
            paths.append(f"/referrals/{referral.pk}/")
    return paths
