"""The provider's history pages (issue 14): "Page n of m" counts the provider's requests
through the requests' provider index alone (portal/views.py `_history_count`), and the pages
still list each of its requests once, none of another provider's or council's."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from carebroker.sourcing.models import SourcingRequest
from tests.web.pages import clock
from tests.web.test_list_queries import NOW, _council_with

pytestmark = pytest.mark.django_db


def test_the_history_counts_its_pages_and_lists_every_request_of_ours_once():
    ours = _council_with(120)["provider"]
    _council_with(30)  # another council, its providers' requests never counted here
    client = Client()
    client.force_login(ours)
    seen: list[str] = []
    with clock(NOW):
        for number in (1, 2, 3):
            page = client.get("/portal/history/", {"page": number}).content.decode()
            assert f"Page {number} of 3" in page
            seen += re.findall(r'href="/portal/requests/(\d+)/"', page)
    expected = SourcingRequest.objects.filter(provider=ours.provider).values_list("pk", flat=True)
    assert len(expected) == 120
    assert sorted(map(int, seen)) == sorted(expected)
