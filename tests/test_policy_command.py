"""`carebroker policy check` passes the presets and names every bad field of a broken file."""

import subprocess
import sys
from pathlib import Path

import pytest

from carebroker.engine.policy import PRESETS, PRESETS_DIR

pytestmark = pytest.mark.slow  # every test runs carebroker in a subprocess

CAREBROKER = str(Path(sys.executable).parent / "carebroker")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CAREBROKER, "policy", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", PRESETS)
def test_policy_check_passes_each_preset_file(name):
    """Each preset file checks OK and the command exits 0."""
    result = run("check", str(PRESETS_DIR / f"{name}.toml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"OK: {name}"


def test_policy_check_accepts_a_preset_name():
    """A preset name is accepted in place of a file."""
    result = run("check", "essex-lah")
    assert (result.returncode, result.stdout.strip()) == (0, "OK: essex-lah")


def test_policy_check_names_every_bad_field_and_fails(tmp_path):
    """A broken file: each error on stderr with its path, nothing on stdout, no traceback.
    (Essex: stages[0] is the current provider, [1] the urgent cascade, [2] the batch.)"""
    text = (PRESETS_DIR / "essex-lah.toml").read_text()
    text = text.replace('window = "1 working hour"', 'window = "1 wrking hour"', 1)
    text = text.replace('kind = "batch"', 'kind = "batches"', 1)
    text = text.replace('day_end = "17:00"', 'day_end = "5pm"', 1)
    path = tmp_path / "essex-copy.toml"
    path.write_text(text)
    result = run("check", str(path))
    assert result.returncode != 0
    assert result.stdout == ""
    assert "stages[1].window: not a deadline expression: '1 wrking hour'" in result.stderr
    assert "stages[2].kind: must be one of batch, cascade, tender, open_market" in result.stderr
    assert "working_time.day_end: not a time of day HH:MM: '5pm'" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_check_refuses_a_missing_file(tmp_path):
    """A path that is neither a file nor a preset is refused clearly."""
    result = run("check", str(tmp_path / "nope.toml"))
    assert result.returncode != 0
    assert "no such file and not a preset" in result.stderr
