"""`carebroker help` (issue 10): our commands first, by the dashed names people type, with
their one-line help; Django's own after them."""

import subprocess
import sys


def _help(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "carebroker.cli", *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_help_lists_our_dashed_commands_before_djangos():
    text = _help("help")
    ours, _, django = text.partition("Django's commands")
    for name in ("seed-demo", "import-providers", "batch-report", "worker", "demo"):
        assert f"\n  {name} " in ours, name
    assert "seed_demo" not in text and "import_providers" not in text
    assert "\n  migrate" not in ours and "migrate," in django


def test_help_for_one_command_takes_its_dashed_name():
    assert "--council" in _help("help", "import-providers")


def test_commands_write_nothing_to_standard_error_when_all_is_well():
    """django-axes writes a version banner at start-up unless AXES_VERBOSE is off: every
    command's standard error would carry it, and a script that watches for errors there
    would see one on each run."""
    result = subprocess.run(
        [sys.executable, "-m", "carebroker.cli", "help"], capture_output=True, text=True, check=True
    )
    assert result.stderr == ""
