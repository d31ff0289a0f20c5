"""Schemathesis runs the OpenAPI document (/api/v1/openapi.json) against the app, in-process
through its WSGI handler with a real token of a council's integration user and a real
database: for every operation, generated requests (good and bad) get no server error, only
documented status codes and content types, and bodies that match their schemas."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carebroker.accounts.models import Role
from carebroker.api.api import api
from tests.api.helpers import kent_world, make_token
from tests.factories import make_user

# The document the app serves at /api/v1/openapi.json (test_api.py checks it is served), made
# without a request: a request at import time would open the database before the tests'.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
pytestmark = pytest.mark.django_db
APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def token(django_db_setup, django_db_blocker):
    """A council with an awarded package, and its integration's token with every scope;
    rolled back after the module."""
    with django_db_blocker.unblock():
        with transaction.atomic(), override_settings(API_RATE="100000/m"):
            world = kent_world()
            yield make_token(make_user(world["council"], Role.INTEGRATION))
            transaction.set_rollback(True)
        cache.clear()  # the cache may be the database's table (settings.CACHES)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI handler fires request_started/finished, whose close_old_connections
    closes a connection left outside autocommit: on PostgreSQL that is the test's own, inside
    its transaction. Django's test client unhooks it the same way for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_openapi_document_says(case, token):
    case.call_and_validate(
        app=APP,
        base_url="http://localhost",
        headers={"Authorization": f"Bearer {token}"},
        checks=CHECKS,
    )
