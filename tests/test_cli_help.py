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
