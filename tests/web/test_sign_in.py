"""Signing in and out: GOV.UK Frontend pages, an error summary linked to the fields."""

import re

import pytest

from carebroker.accounts.models import Role
from tests.factories import PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db


def test_login_page_is_built_with_govuk_frontend(client):
    """The sign-in page uses the GOV.UK template, header, footer and Frontend's CSS and JS."""
    page = client.get("/login/").content.decode()
    for marker in (
        'class="govuk-template"',
        'class="govuk-template__body"',
        "govuk-frontend-supported",
        'class="govuk-skip-link"',
        'class="govuk-header"',
        "govuk-width-container",
        'class="govuk-main-wrapper" id="main-content"',
        'class="govuk-footer"',
        "/static/govuk/govuk-frontend.min.css",
        "initAll()",
        '<label class="govuk-label" for="id_username">',
        '<label class="govuk-label" for="id_password">',
    ):
        assert marker in page, marker
    assert page.count("<h1") == 1
    assert "carebroker" in page


def test_failed_sign_in_shows_an_error_summary_linked_to_the_username(client):
    """A wrong password gives the error summary, linked to the username field marked in error."""
    council = make_council()
    make_user(council, role=Role.BROKER, username="a-broker")
    response = client.post("/login/", {"username": "a-broker", "password": "not the password"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert '<a href="#id_username">Enter a correct username and password' in page
    assert "govuk-form-group--error" in page
    assert "<title>Error: Sign in" in page
    assert "_auth_user_id" not in client.session
    assert "Traceback" not in page


def test_empty_sign_in_names_each_missing_field(client):
    """Both fields left empty: one message for each, each linked to its own field."""
    page = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page
    assert 'aria-describedby="id_password-error"' in page


def test_home_needs_a_signed_in_user(client):
    """Anyone not signed in is sent to the sign-in page, and back home after."""
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_sign_out_is_a_post_form_with_a_csrf_token(client):
    """The header's sign-out is a POST form (with CSRF); after it the home page needs sign-in."""
    council = make_council()
    user = make_user(council, role=Role.BROKER, username="a-broker")
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get("/").content.decode()
    form = re.search(r'<form method="post" action="/logout/">(.*?)</form>', page, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
