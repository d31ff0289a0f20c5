"""Errors are GOV.UK-styled pages that say what to do, never a stack trace (DEBUG is off)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_debug_is_off_by_default(settings):
    """The error pages below are what people see: DEBUG must be off unless asked for."""
    assert settings.DEBUG is False


def test_unknown_page_is_a_govuk_404(client):
    """An unknown address gives the GOV.UK-style "Page not found"."""
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="govuk-template"' in page
    assert "Page not found" in page


def test_server_error_is_a_govuk_500_without_a_traceback(settings):
    """A failing view gives "Sorry, there is a problem with the service" and no traceback."""
    settings.ROOT_URLCONF = "tests.web.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert 'class="govuk-template"' in page
    assert "Traceback" not in page
    assert "made-up failure" not in page


def test_forbidden_is_a_govuk_403(settings, client):
    """A refused page says the account cannot see it, in GOV.UK style."""
    settings.ROOT_URLCONF = "tests.web.failing_urls"
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()


def test_form_without_csrf_token_gets_a_govuk_403():
    """A form posted without its CSRF token is refused with a page saying what to do."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
