"""Schemathesis over HTTP: the OpenAPI document's checks (test_openapi_schemathesis.py) sent
to a served port, pytest-django's live server (Django's WSGI server in a thread), so real
sockets, HTTP parsing and headers are in the path, not only the WSGI handler called
in-process. Fewer examples than the in-process run: this one proves the served app answers
as documented, the in-process one explores the inputs."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings

from carebroker.accounts.models import Role
from carebroker.api.api import api
from tests.api.helpers import kent_world, make_token
from tests.api.test_openapi_schemathesis import CHECKS
from tests.factories import make_user

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
# The live server's thread reads what the test wrote: committed, so a transactional test.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def token():
    """A council with an awarded package, and its integration's token with every scope."""
    with override_settings(API_RATE="100000/m"):
        world = kent_world()
        yield make_token(make_user(world["council"], Role.INTEGRATION))


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_on_a_served_port(case, token, live_server):
    response = case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {token}"},
        checks=CHECKS,
        timeout=30,
    )
    # Answered by the server on the port (the in-process call has no Server header).
    assert response.headers["server"][0].startswith("WSGIServer/")
