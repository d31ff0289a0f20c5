"""The import commands: thin wrappers that print the report, or one clear error on stderr."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carebroker.cli import command_name
from carebroker.exchange.models import EhmSubmission
from carebroker.providers.models import Provider
from tests.exchange.conftest import EXAMPLES
from tests.exchange.test_ehm_import import GOOD
from tests.factories import make_council, make_package, make_provider


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dashed_command_names_map_to_django_names():
    """Any documented dashed name maps to Django's underscored one; options stay as typed."""
    assert command_name("import-providers") == "import_providers"
    assert command_name("seed-demo") == "seed_demo"
    assert command_name("migrate") == "migrate"
    assert command_name("--help") == "--help"


def test_import_providers_prints_the_report(essex):
    """`import-providers FILE --council SLUG` imports and prints the counts, then 'unchanged'."""
    sample = str(EXAMPLES / "providers-sample.csv")
    first = _run("import_providers", sample, "--council", essex.slug)
    assert "4 created, 0 updated, 0 unchanged" in first and "Created Alder Homecare" in first
    assert "0 created, 0 updated, 4 unchanged" in _run(
        "import_providers", sample, "--council", essex.slug
    )


def test_import_providers_turns_a_refused_file_into_a_command_error(essex, write):
    """A bad file is a CommandError naming row and column; an unknown council names the slug."""
    path = write("name,kind,main contact name,main contact email\nAlder,framework,Casey,bad\n")
    with pytest.raises(CommandError, match="row 2, main contact email"):
        _run("import_providers", str(path), "--council", essex.slug)
    with pytest.raises(CommandError, match="--council: no council 'nowhere'"):
        _run("import_providers", str(path), "--council", "nowhere")
    assert not Provider.objects.exists()


def test_import_cqc_prints_blocked_providers(db, write):
    """`import-cqc` prints the counts, the providers not in the file and the blocked ones."""
    kent = make_council("kent-oppd")
    make_provider(kent, "Juniper Home Care", kind="non_contracted", cqc_location_id="1-200000002")
    make_provider(kent, "Maple Unlisted Care", cqc_location_id="1-200000004")
    path = write(
        "Location ID,Registration status,Latest overall rating\n1-200000002,Registered,Inadequate\n"
    )
    out = _run("import_cqc", str(path), "--council", kent.slug)
    assert "BLOCKED: Juniper Home Care (non_contracted): rated Inadequate" in out
    assert "Not in the file: Maple Unlisted Care" in out


def test_import_ehm_prints_the_summary_and_finds_the_provider_by_name_or_id(essex, write):
    """`import-ehm --provider` takes the name (any case) or the id; the summary is printed."""
    alder = make_provider(essex, "Alder Homecare")
    for case in ("M2001", "M2002"):
        make_package(essex, case, awarded_provider=alder, status="awarded")
    path = str(write(GOOD))
    out = _run("import_ehm", path, "--council", essex.slug, "--provider", "alder homecare")
    assert "planned 5, delivered 4, late 1, missed 1, short 1" in out
    again = _run("import_ehm", path, "--council", essex.slug, "--provider", str(alder.pk))
    assert "(unchanged)" in again and EhmSubmission.objects.count() == 1
    loose = _run(
        "import_ehm",
        path,
        "--council",
        essex.slug,
        "--provider",
        str(alder.pk),
        "--late-after",
        "30",
    )
    assert "late 0" in loose
    with pytest.raises(CommandError, match="has no provider 'Nobody'"):
        _run("import_ehm", path, "--council", essex.slug, "--provider", "Nobody")


@pytest.mark.slow  # subprocesses
def test_commands_print_a_refusal_on_stderr_without_a_traceback(tmp_path):
    """Run as `carebroker import-providers` (dashed), a refused file exits 1 with the message on
    stderr and no traceback."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["CAREBROKER_VAR"] = str(tmp_path)
    cli = [sys.executable, "-m", "carebroker.cli"]
    migrate = subprocess.run([*cli, "migrate", "-v0"], capture_output=True, text=True, env=env)
    assert migrate.returncode == 0, migrate.stderr
    make = "from carebroker.councils.models import Council as C; C.objects.create(slug='mid')"
    subprocess.run([*cli, "shell", "-c", make], check=True, env=env)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01not a csv")

    for council, message in (
        ("nowhere", "CommandError: --council: no council 'nowhere'"),
        ("mid", "CommandError: nothing imported:\nbad.csv: not a text file (it contains NUL"),
    ):
        result = subprocess.run(
            [*cli, "import-cqc", str(bad), "--council", council],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr
