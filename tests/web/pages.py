"""Helpers for the page tests: a pinned clock for views, signing in a factory user, the
<main> of a page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.test import Client

from carebroker.accounts.models import User


@contextmanager
def clock(now: datetime) -> Iterator[None]:
    """Views read `timezone.now()` once: pin it."""
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main_of(response) -> str:  # noqa: ANN001
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def link_of(page: str, rel: str) -> str:
    """The href of a page's pagination link (`rel` "next" or "prev"), unescaped; "" if none."""
    found = re.search(rf'href="([^"]*)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else ""


def field_error(page: str, field_id: str) -> str:
    """The text of a field's GOV.UK error message (empty if it has none)."""
    pattern = rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>'
    found = re.search(pattern, page, re.S)
    text = re.sub(r"<.*?>", "", found.group(1)) if found else ""
    return html.unescape(text).replace("Error:", "").strip()


class QueryCounter:
    """Counts the queries run inside it (request_started resets Django's own query log,
    so a request cannot be measured by slicing `connection.queries`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCounter:
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)


DATE_FIELDS = ("date_of_birth", "preferred_start", "start", "until_date")


def as_date_parts(form: dict) -> dict:
    """A form written with ISO dates ("2026-12-07"), posted as the GOV.UK date input posts
    it: day, month and year apart (`preferred_start_day`, ...)."""
    posted = {}
    for name, value in form.items():
        if name in DATE_FIELDS and isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            posted.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
        else:
            posted[name] = value
    return posted
