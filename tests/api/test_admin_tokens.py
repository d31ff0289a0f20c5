"""A manager makes an API token in the admin: shown once, kept only as its hash; revoked
there, it stops working (docs/api.md §2)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from carebroker.accounts.models import Role
from carebroker.api.models import ApiToken
from carebroker.api.tokens import digest_of
from tests.factories import make_council, make_user

pytestmark = pytest.mark.django_db


def test_a_token_made_in_the_admin_is_shown_once_and_stored_as_its_hash_then_revoked():
    council = make_council("kent-oppd")
    manager = make_user(council, Role.MANAGER, is_staff=True)
    integration = make_user(council, Role.INTEGRATION)
    client = Client()
    client.force_login(manager)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "user": integration.pk,
            "name": "Mosaic live",
            "scopes": ["referrals:write", "outcomes:read"],
            "expires_at_0": "2027-11-30",
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )
    page = response.content.decode()
    shown = re.search(r"The token is (cb_[\w-]+)", page)
    assert shown, page[:3000]
    token = shown.group(1)
    row = ApiToken.objects.get(user=integration)
    assert row.digest == digest_of(token) and row.prefix in token
    assert row.scopes == ["referrals:write", "outcomes:read"]
    again = client.get(f"/admin/api/apitoken/{row.pk}/change/").content.decode()
    assert token not in again  # never shown again
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/outcomes").status_code == 200
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    assert api.get("/api/v1/outcomes").status_code == 401


def test_a_broker_sees_tokens_but_may_not_make_one():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER, is_staff=True)
    client = Client()
    client.force_login(broker)
    assert client.get("/admin/api/apitoken/").status_code == 200
    assert client.get("/admin/api/apitoken/add/").status_code == 403
