"""The JSON API (issue 12, docs/api.md): tokens, the referral POST with the web form's rules,
problem+json, idempotency, who sees what, outcomes after a cursor, throttling."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings

from carebroker.accounts.models import Role
from carebroker.api.models import ApiToken, IdempotentRequest, Scope
from carebroker.referrals.models import Person, Referral, ReferralStatus
from carebroker.sourcing.models import Package
from tests.api.helpers import (
    NOW,
    api_client,
    kent_world,
    make_token,
    referral_body,
)
from tests.factories import make_user
from tests.web.pages import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def kent():
    world = kent_world()
    world["integration"] = make_user(world["council"], Role.INTEGRATION)
    world["token"] = make_token(world["integration"])
    return world


def post(client, body, **headers):
    with clock(NOW):
        return client.post(
            "/api/v1/referrals",
            json.dumps(body),
            content_type="application/json",
            headers=headers,
        )


def get(client, url):
    with clock(NOW):
        return client.get(url)


# -- tokens -------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_sha256_and_works_until_revoked(kent):
    row = ApiToken.objects.get(user=kent["integration"])
    assert kent["token"] not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert row.digest != kent["token"] and len(row.digest) == 64
    url = f"/api/v1/referrals/{kent['referral'].pk}"
    assert get(api_client(kent["token"]), url).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=NOW - timedelta(minutes=1))
    response = get(api_client(kent["token"]), url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_or_none_at_all_is_401(kent):
    expired = make_token(kent["integration"], expires_at=NOW - timedelta(seconds=1))
    url = f"/api/v1/referrals/{kent['referral'].pk}"
    assert get(api_client(expired), url).status_code == 401
    assert get(api_client(None), url).status_code == 401
    assert get(api_client("cb_made_up"), url).status_code == 401


def test_a_token_without_the_scope_is_refused_403_naming_the_scope(kent):
    reader = make_token(kent["integration"], scopes=[Scope.OUTCOMES_READ])
    response = get(api_client(reader), f"/api/v1/referrals/{kent['referral'].pk}")
    assert response.status_code == 403
    assert "packages:read" in response.json()["detail"]
    response = post(api_client(reader), referral_body())
    assert response.status_code == 403
    assert not Package.objects.filter(case_number="M70001").exists()


# -- the referral POST ------------------------------------------------------------------


def test_a_posted_referral_is_saved_as_received_like_the_web_forms(kent):
    response = post(api_client(kent["token"]), referral_body())
    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.referrer == kent["integration"]
    assert body["person"]["postcode"] == "TN23 1AA"  # normalised by the form
    assert (
        body["packages"]
        == [{"case_number": "M70001", "status": "sourcing", "status_words": "Being sourced"}]
        or body["packages"][0]["case_number"] == "M70001"
    )
    package = Package.objects.get(council=kent["council"], case_number="M70001")
    assert package.area == kent["area"]
    assert str(package.hours_per_week) == "10.50"
    assert referral.person.relations == [{"relation": "daughter", "name": "Rose Marsh"}]


def test_a_self_funder_sent_by_the_api_waits_kents_grace_like_the_web_forms(kent):
    response = post(api_client(kent["token"]), referral_body(self_funder=True))
    assert response.status_code == 201, response.content
    assert Referral.objects.get(pk=response.json()["id"]).self_funder is True
    response = post(api_client(kent["token"]), referral_body(case_number="M70002"))
    assert Referral.objects.get(pk=response.json()["id"]).self_funder is False


def test_every_bad_field_is_named_in_a_problem_json_422_and_nothing_is_saved(kent):
    people = Person.objects.count()
    response = post(
        api_client(kent["token"]),
        referral_body(
            name=None,
            postcode="QT1 1AA",
            date_of_birth="14/05/1938",
            hours_per_week="0",
            case_number="a/b",
            phone="12",
        ),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    named = {row["field"]: " ".join(row["messages"]) for row in problem["errors"]}
    assert set(named) == {
        "name",
        "postcode",
        "date_of_birth",
        "hours_per_week",
        "case_number",
        "phone",
    }
    assert "Enter the person's full name" in named["name"]  # the web form's own words
    assert "cannot start with Q, V or X" in named["postcode"]
    assert "YYYY-MM-DD" in named["date_of_birth"]
    assert Person.objects.count() == people
    assert not Package.objects.filter(case_number="a/b").exists()


def test_a_mosaic_id_the_council_already_has_is_refused_by_the_form(kent):
    response = post(api_client(kent["token"]), referral_body(case_number="MK-1001"))
    assert response.status_code == 422
    fields = [row["field"] for row in response.json()["errors"]]
    assert fields == ["case_number"]


def test_a_body_of_the_wrong_json_types_is_a_problem_naming_the_field(kent):
    response = post(api_client(kent["token"]), {**referral_body(), "documents": "all"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [row["field"] for row in response.json()["errors"]] == ["documents"]


# -- idempotency --------------------------------------------------------------------------


def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_and_makes_one(kent):
    client = api_client(kent["token"])
    first = post(client, referral_body(), **{"Idempotency-Key": "mosaic-42"})
    again = post(client, referral_body(), **{"Idempotency-Key": "mosaic-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Package.objects.filter(council=kent["council"], case_number="M70001").count() == 1
    assert Referral.objects.filter(referrer=kent["integration"]).count() == 1


def test_an_idempotency_key_reused_with_another_body_is_refused_and_changes_nothing(kent):
    client = api_client(kent["token"])
    post(client, referral_body(), **{"Idempotency-Key": "k1"})
    other = post(client, referral_body(case_number="M70002"), **{"Idempotency-Key": "k1"})
    assert other.status_code == 422
    assert [row["field"] for row in other.json()["errors"]] == ["Idempotency-Key"]
    assert not Package.objects.filter(case_number="M70002").exists()


def test_a_refused_post_keeps_no_key_so_the_corrected_retry_is_saved(kent):
    client = api_client(kent["token"])
    bad = post(client, referral_body(postcode="nowhere"), **{"Idempotency-Key": "k2"})
    assert bad.status_code == 422
    assert not IdempotentRequest.objects.exists()
    good = post(client, referral_body(), **{"Idempotency-Key": "k2"})
    assert good.status_code == 201


# -- reads, and who sees what ------------------------------------------------------------


def test_the_councils_integration_reads_a_package_status_timeline_and_placement(kent):
    response = get(api_client(kent["token"]), "/api/v1/packages/MK-1001")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awarded" and body["status_words"] == "Awarded"
    assert body["placement"]["provider"] == kent["pa"].name
    assert body["placement"]["hourly_rate"] == "27.50"
    types = [line["type"] for line in body["timeline"]]
    assert "award" in types
    assert all("_" not in line["words"] for line in body["timeline"])
    # each line in the words of the package page's timeline (engine/vocabulary.py EVENT_WORDS)
    said = {line["type"]: line["words"] for line in body["timeline"]}
    assert said["award"] == "Awarded"


def test_the_referral_read_carries_the_full_record_for_the_council_alone(kent):
    body = get(api_client(kent["token"]), f"/api/v1/referrals/{kent['referral'].pk}").json()
    assert body["person"]["name"] == kent["referral"].person.name
    assert body["packages"][0]["case_number"] == "MK-1001"


def test_a_provider_token_is_refused_everything(kent):
    provider_user = make_user(kent["council"], Role.PROVIDER, provider=kent["pa"])
    client = api_client(make_token(provider_user))
    urls = [f"/api/v1/referrals/{kent['referral'].pk}", "/api/v1/packages/MK-1001",
            "/api/v1/outcomes"]  # fmt: skip
    for url in urls:
        response = get(client, url)
        assert response.status_code == 403, url
        assert kent["referral"].person.name not in response.content.decode()
    assert post(client, referral_body()).status_code == 403
    assert not Package.objects.filter(case_number="M70001").exists()


def test_another_councils_token_gets_404_and_never_sees_its_outcomes(kent):
    other = kent_world("MK-2002")
    other_token = make_token(make_user(other["council"], Role.INTEGRATION))
    client = api_client(other_token)
    for url in (f"/api/v1/referrals/{kent['referral'].pk}", "/api/v1/packages/MK-1001"):
        response = get(client, url)
        assert response.status_code == 404, url
        assert kent["referral"].person.name not in response.content.decode()
    outcomes = get(client, "/api/v1/outcomes").json()["outcomes"]
    assert {row["case_number"] for row in outcomes} == {"MK-2002"}
    assert all(row["provider"] == other["pa"].name for row in outcomes)


# -- outcomes -----------------------------------------------------------------------------


def test_outcomes_come_in_pages_after_a_cursor_and_a_cursor_at_the_end_gives_none(kent):
    from carebroker.sourcing.models import TimelineEvent

    package = kent["package"]
    for n in range(3):  # three more outcomes of the package, as the engine writes them
        TimelineEvent.objects.create(
            package=package, at=NOW + timedelta(hours=n + 1), type="handback",
            details={"provider": str(kent["pa"].pk), "reason": f"staff {n}"},
        )  # fmt: skip
    client = api_client(kent["token"])
    first = get(client, "/api/v1/outcomes?limit=2").json()
    assert [row["kind"] for row in first["outcomes"]] == ["awarded", "handed_back"]
    assert first["outcomes"][0]["words"] == "Awarded"
    second = get(client, f"/api/v1/outcomes?limit=2&cursor={first['next_cursor']}").json()
    assert [row["reason"] for row in second["outcomes"]] == ["staff 1", "staff 2"]
    end = get(client, f"/api/v1/outcomes?cursor={second['next_cursor']}").json()
    assert end == {"outcomes": [], "next_cursor": second["next_cursor"]}
    bad = get(client, "/api/v1/outcomes?cursor=abc")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    # "³" passes str.isdigit() but not int(): schemathesis found it answered 500.
    superscript = get(client, "/api/v1/outcomes?cursor=%C2%B3")
    assert superscript.status_code == 422
    assert superscript.json()["errors"][0]["field"] == "cursor"


# -- throttling, the document -------------------------------------------------------------


@override_settings(API_RATE="3/m")
def test_requests_are_throttled_per_token(kent):
    from django.core.cache import cache

    cache.clear()
    client = api_client(kent["token"])
    codes = [get(client, "/api/v1/outcomes").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = get(client, "/api/v1/outcomes")
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) >= 1
    fresh = api_client(make_token(kent["integration"]))
    assert get(fresh, "/api/v1/outcomes").status_code == 200  # another token: its own count
    cache.clear()


def test_the_openapi_document_and_its_docs_page_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert {"/api/v1/referrals", "/api/v1/outcomes"} <= set(schema["paths"])
    responses = schema["paths"]["/api/v1/referrals"]["post"]["responses"]
    assert "application/problem+json" in responses["422"]["content"]
    assert client.get("/api/v1/docs").status_code == 200
