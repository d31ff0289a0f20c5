"""Councils, tokens and clients for the API tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client

from carebroker.api import tokens
from carebroker.api.models import ApiToken, Scope
from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.intake import do_submit_referral
from tests.factories import make_area, make_council, make_package, make_provider, make_referral

# Monday 23 November 2026, 10:00 in London: Kent's requests are due at 12:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ALL_SCOPES = [scope.value for scope in Scope]
KENT_DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]


def make_token(user: Any, scopes: list[str] | None = None, **fields: Any) -> str:
    """A live token of `user` (all scopes unless given); returns the secret to send."""
    row = ApiToken(
        user=user,
        name=fields.pop("name", "Mosaic"),
        scopes=ALL_SCOPES if scopes is None else scopes,
        created_at=NOW - timedelta(days=1),
        expires_at=fields.pop("expires_at", NOW + timedelta(days=365)),
        **fields,
    )
    secret = tokens.issue(row)
    row.save()
    return secret


def api_client(token: str | None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(headers=headers, raise_request_exception=False)


def kent_world(case_number: str = "MK-1001") -> dict[str, Any]:
    """A Kent council with an area serving TN23, two providers, and one package awarded to
    the first (its offer at 10:30 on the day)."""
    council = make_council("kent-oppd")
    area = make_area(council, "Ashford A", districts=["TN23"])
    pa = make_provider(council, areas={area: 1})
    pb = make_provider(council, areas={area: 2})
    referral = make_referral(council, documents=KENT_DOCUMENTS)
    package = make_package(council, case_number, referral=referral, area=area)
    do_submit_referral(referral, NOW)
    at = NOW + timedelta(minutes=30)
    runner.record_answer(
        package, Answer(at=at, provider=str(pa.pk), action="offer", rate="27.50"), now=at
    )
    package.refresh_from_db()
    return {
        "council": council,
        "area": area,
        "pa": pa,
        "pb": pb,
        "referral": referral,
        "package": package,
    }


def referral_body(**changes: Any) -> dict[str, Any]:
    """A referral Kent accepts on its web form, as JSON."""
    body: dict[str, Any] = {
        "name": "Wendy Marsh",
        "date_of_birth": "1938-05-14",
        "address": "4 Orchard Row",
        "town": "Ashford",
        "postcode": "tn23 1aa",
        "phone": "01632 960 001",
        "relations": [{"relation": "daughter", "name": "Rose Marsh"}],
        "allocated_worker": "Sam Okafor",
        "principal_contact": "Rose Marsh",
        "principal_contact_phone": "07700 900 982",
        "needs": "Help to wash and dress each morning.",
        "case_number": "M70001",
        "hours_per_week": "10.5",
        "preferred_start": "2026-12-07",
        "documents": ["financial_authorisation", "referral_form"],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}
