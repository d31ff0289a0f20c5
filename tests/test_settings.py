import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "carebroker.cli"]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
    unset = {"SECRET_KEY", "CAREBROKER_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env={**base, **env})


def test_check_deploy_passes_with_production_variables(tmp_path):
    """`carebroker check --deploy` is clean once production variables are set."""
    result = run_cli(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CAREBROKER_ENV="production",
        SECRET_KEY="x" * 30 + "-production-secret-key-for-the-check-" + "y" * 20,
        ALLOWED_HOSTS="carebroker.example.org",
        CAREBROKER_VAR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_cli("check", CAREBROKER_ENV="production", CAREBROKER_VAR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY: required" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_boolean_names_the_variable(tmp_path, value):
    result = run_cli("check", DEBUG=value, CAREBROKER_VAR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG: expected true or false" in result.stderr


def test_time_zone_is_london(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True
