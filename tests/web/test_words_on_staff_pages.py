"""People see words, never codes (issue 10 item 3): every staff page of every demo council,
read as text, has no snake_case word, ISO time or Python literal; and the counts agree
(item 9). The same pages in Chromium: tests/browser/test_tour.py."""

import pytest
from django.test import Client

from carebroker.accounts.models import User
from tests.web.conftest import NOW
from tests.web.pages import clock
from tests.web.staff_tour import codes_in, staff_paths, visible_text

PREFIXES = ["essex", "kent", "leics"]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("role", ["broker", "manager"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_code_on_any_staff_page(demo, db, prefix, role):
    client = _client(f"{prefix}-{role}")
    found = {}
    with clock(NOW):
        for path in staff_paths(prefix, role):
            response = client.get(path)
            if response.status_code != 200:
                found[path] = [f"status {response.status_code}"]
                continue
            codes = codes_in(visible_text(response.content.decode()))
            if codes:
                found[path] = sorted(set(codes))
    assert found == {}
