"""The low findings of issue 12: request size, private pages, session idle time, password
rules, CSP and other headers, `check --deploy` and DEBUG in production, file modes, the
document footer."""

import io
import os
import stat
from datetime import timedelta

import pypdf
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from carebroker.accounts.models import Role
from carebroker.placements.documents.rendering import pdf_from_template
from tests.factories import make_council, make_package, make_user
from tests.test_settings import run_cli
from tests.web.pages import client_for, clock

pytestmark = pytest.mark.django_db


def test_a_huge_unauthenticated_post_is_refused_before_its_body_is_read(settings):
    """A 300 MB POST to the sign-in page: 413 from its Content-Length alone."""
    response = Client().post(
        "/login/", data=b"x" * 10, content_type="text/plain", CONTENT_LENGTH=str(300 << 20)
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 << 20


def test_full_record_pages_are_never_stored_by_a_cache():
    council = make_council()
    package = make_package(council)
    response = client_for(make_user(council, Role.BROKER)).get(f"/packages/{package.case_number}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_session_ends_after_30_idle_minutes(settings):
    from carebroker import settings as configured

    assert configured.SESSION_COOKIE_AGE == 30 * 60
    assert "carebroker.web.sessions.SessionRefresh" in configured.MIDDLEWARE
    settings.SESSION_COOKIE_AGE = configured.SESSION_COOKIE_AGE  # tests/conftest.py lengthens it
    council = make_council()
    client = client_for(make_user(council, Role.BROKER))
    now = timezone.now()
    with clock(now + timedelta(minutes=20)):
        assert client.get("/").status_code == 200  # active: the idle clock starts again
    with clock(now + timedelta(minutes=45)):
        assert client.get("/").status_code == 200  # 25 idle minutes
    with clock(now + timedelta(minutes=80)):
        response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("password", ["39481726", "Kent2026!", "password1234"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_passphrase_is_accepted():
    validate_password("correct horse battery staple 7")


def test_pages_carry_a_content_security_policy_without_inline_script():
    response = Client().get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    page = response.content.decode()
    nonce = policy.split("'nonce-")[1].split("'")[0]
    for script in page.split("<script")[1:]:
        opening = script.split(">")[0]
        assert "src=" in opening or f'nonce="{nonce}"' in opening, opening
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_check_deploy_without_secret_key_is_one_line_not_a_traceback(tmp_path):
    result = run_cli("check", "--deploy", CAREBROKER_ENV="production", CAREBROKER_VAR=str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY: required" in result.stderr


def test_debug_is_refused_in_production(tmp_path):
    result = run_cli(
        "check",
        CAREBROKER_ENV="production",
        SECRET_KEY="k" * 60,
        DEBUG="true",
        ENCRYPTION_KEYS="ZmFrZS1rZXktZm9yLXRoZS10ZXN0cy0tMzItYnl0ZXM=",
        CAREBROKER_VAR=str(tmp_path),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "DEBUG: must be off when CAREBROKER_ENV=production" in result.stderr


def test_the_sqlite_file_and_the_mail_folder_are_private(tmp_path):
    result = run_cli("migrate", "-v0", CAREBROKER_VAR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    database = tmp_path / "carebroker.sqlite3"
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "mail").st_mode) == 0o700


def test_the_document_footer_shows_the_text_as_written_not_escaped_twice():
    """The footer is CSS text inside <style>: HTML escaping showed "&amp;" in the PDF."""
    context = {"council": "Kent County Council", "mosaic_id": "A&B-1", "marking": "OFFICIAL"}
    html = render_to_string("documents/_base.html", context)
    assert "&amp;" not in html.split("</style>")[0]
    pdf = pypdf.PdfReader(io.BytesIO(pdf_from_template("_base.html", context)))
    text = pdf.pages[0].extract_text()
    assert "Mosaic ID A&B-1" in text and "&amp;" not in text


def test_the_footer_cannot_end_the_style_element():
    html = render_to_string(
        "documents/_base.html", {"mosaic_id": 'x"</style><script>alert(1)</script>'}
    )
    assert "<script>" not in html


def test_a_session_is_written_at_most_once_a_minute_and_still_ends_when_idle(settings):
    """Issue 14: a page a second apart writes no session row (SQLite serialises writes); a
    page a minute on moves the expiry on, so activity keeps the session alive."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_COOKIE_AGE = 30 * 60
    client = client_for(make_user(make_council(), Role.BROKER))
    now = timezone.now()
    with clock(now + timedelta(minutes=1)):
        assert client.get("/").status_code == 200  # written: the expiry moves on
    key = client.cookies["sessionid"].value
    expiry = Session.objects.get(session_key=key).expire_date
    with clock(now + timedelta(minutes=1, seconds=30)), CaptureQueriesContext(connection) as q:
        assert client.get("/").status_code == 200
    writes = [x["sql"] for x in q.captured_queries if "django_session" in x["sql"]]
    assert not [sql for sql in writes if not sql.startswith("SELECT")], writes
    assert Session.objects.get(session_key=key).expire_date == expiry
    for minute in range(3, 60, 20):  # 3, 23, 43: never 30 idle minutes
        with clock(now + timedelta(minutes=minute)):
            assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date > expiry
    with clock(now + timedelta(minutes=43 + 31)):
        response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
