import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "carebroker.cli"]
# A Fernet key (32 bytes, url-safe base64), for the tests only.
KEY = "ZmFrZS1rZXktZm9yLXRoZS10ZXN0cy0tMzItYnl0ZXM="


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
    unset = {"SECRET_KEY", "CAREBROKER_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base["DJANGO_SETTINGS_MODULE"] = "carebroker.settings"  # the product's, not the tests'
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env={**base, **env})


@pytest.mark.slow  # subprocesses
def test_check_deploy_passes_with_production_variables(tmp_path):
    """`carebroker check --deploy` is clean once production variables are set."""
    result = run_cli(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CAREBROKER_ENV="production",
        SECRET_KEY="x" * 30 + "-production-secret-key-for-the-check-" + "y" * 20,
        ENCRYPTION_KEYS=KEY,
        ALLOWED_HOSTS="carebroker.example.org",
        CAREBROKER_VAR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow  # subprocesses
def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_cli("check", CAREBROKER_ENV="production", CAREBROKER_VAR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY: required" in result.stderr


@pytest.mark.slow  # subprocesses
def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    """The sealed secrets' key comes from the environment in production, never derived."""
    env = {"CAREBROKER_ENV": "production", "SECRET_KEY": "k" * 60, "CAREBROKER_VAR": str(tmp_path)}
    result = run_cli("check", **env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "ENCRYPTION_KEYS: required" in result.stderr
    bad = run_cli("check", ENCRYPTION_KEYS="not-a-key", **env)
    assert bad.returncode == 1 and "ENCRYPTION_KEYS: each key must be" in bad.stderr


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_boolean_names_the_variable(tmp_path, value):
    result = run_cli("check", DEBUG=value, CAREBROKER_VAR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG: expected true or false" in result.stderr


def test_time_zone_is_london(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


# -- importing settings has no side effects; the commands make var/ ---------------------

IMPORT_EVERYTHING = (
    "import django; django.setup(); "
    "from django.urls import resolve; resolve('/login/'); "
    "from django.conf import settings; print(settings.SECRET_KEY)"
)


def python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "CAREBROKER_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base["DJANGO_SETTINGS_MODULE"] = "carebroker.settings"  # the product's, not the tests'
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**base, **env}
    )


@pytest.mark.slow
@pytest.mark.parametrize("environment", ["development", "production"])
def test_importing_settings_writes_nothing_and_makes_no_directory(tmp_path, environment):
    """Settings, apps and URLs loaded: an empty CAREBROKER_VAR stays empty, and one that is
    not there is not made (no key file, no static or mail directory)."""
    empty, absent = tmp_path / "empty", tmp_path / "absent"
    empty.mkdir()
    env = (
        {"CAREBROKER_ENV": environment, "SECRET_KEY": "k" * 60, "ENCRYPTION_KEYS": KEY}
        if environment != "development"
        else {}
    )
    for var in (empty, absent):
        result = python(IMPORT_EVERYTHING, CAREBROKER_VAR=str(var), **env)
        assert result.returncode == 0, result.stderr
    assert list(empty.iterdir()) == []
    assert not absent.exists()


@pytest.mark.slow
def test_a_command_makes_var_and_a_private_development_key_that_settings_then_use(tmp_path):
    """`carebroker ...` makes CAREBROKER_VAR and, in development, a random key readable by
    its owner only; it is made once, and settings imported afterwards use it."""
    var = tmp_path / "var"
    assert run_cli("check", CAREBROKER_VAR=str(var)).returncode == 0
    key_file = var / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert run_cli("check", CAREBROKER_VAR=str(var)).returncode == 0
    assert key_file.read_text() == key
    assert python(IMPORT_EVERYTHING, CAREBROKER_VAR=str(var)).stdout.strip() == key


@pytest.mark.slow
def test_production_makes_no_development_key(tmp_path):
    var = tmp_path / "var"
    secret = "p" * 60
    result = run_cli(
        "check",
        CAREBROKER_ENV="production",
        SECRET_KEY=secret,
        ENCRYPTION_KEYS=KEY,
        CAREBROKER_VAR=str(var),
    )
    assert result.returncode == 0, result.stderr
    assert not (var / "secret_key").exists()


# -- static files: production serves what collectstatic made, never node_modules ----------

PRODUCTION_STATIC = """
import re, django
django.setup()
from django.conf import settings
from django.test import Client
from whitenoise.middleware import WhiteNoiseMiddleware

client = Client(HTTP_HOST="carebroker.example.org")
page = client.get("/login/", secure=True).content.decode()
css = re.search(r'href="(/static/govuk/govuk-frontend\\.min\\.[0-9a-f]{12}\\.css)"', page).group(1)
sheet = client.get(css, secure=True)
assert sheet.status_code == 200, css
body = b"".join(sheet.streaming_content)
font = re.search(rb"url\\((/assets/fonts/[^)]+\\.woff2)\\)", body).group(1).decode()
assert client.get(font, secure=True).status_code == 200, font
served = WhiteNoiseMiddleware(lambda request: None).files
paths = {alt[1] for f in served.values() for alt in getattr(f, "alternatives", ())}
print(len(paths), sum("node_modules" in p for p in paths))
print(settings.STORAGES["staticfiles"]["BACKEND"])
"""


@pytest.mark.slow
def test_production_serves_collected_static_files_with_hashed_names_not_node_modules(tmp_path):
    """Production: collectstatic writes hashed, compressed copies; pages link to the hashed
    names; GOV.UK Frontend's fonts are served at /assets/ from the collected copy; nothing
    served comes from node_modules."""
    env = {
        "CAREBROKER_ENV": "production",
        "SECRET_KEY": "s" * 60,
        "ENCRYPTION_KEYS": KEY,
        "ALLOWED_HOSTS": "carebroker.example.org",
        "CAREBROKER_VAR": str(tmp_path),
    }
    collected = run_cli("collectstatic", "--no-input", "-v0", **env)
    assert collected.returncode == 0, collected.stderr
    manifest = tmp_path / "static" / "staticfiles.json"
    assert "govuk/govuk-frontend.min.css" in manifest.read_text()
    result = python(PRODUCTION_STATIC, **env)
    assert result.returncode == 0, result.stderr
    files, from_node_modules, storage = result.stdout.split()
    assert int(files) > 100
    assert from_node_modules == "0"
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_development_serves_static_files_from_node_modules_without_collectstatic():
    """Development and the demo find GOV.UK Frontend in node_modules (no manifest needed);
    the tests' settings only skip WhiteNoise's finder scan (the test client never asks)."""
    from carebroker import settings as product

    assert product.PRODUCTION is False
    assert product.WHITENOISE_USE_FINDERS is True
    assert not hasattr(product, "STORAGES")
    assert product.GOVUK_ASSETS == product.GOVUK_FRONTEND / "assets"
    assert (product.GOVUK_ASSETS / "fonts").is_dir()
