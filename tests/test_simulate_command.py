"""`carebroker simulate`: JSON on stdout for a good scenario; every error on stderr if bad."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test runs carebroker in a subprocess

CAREBROKER = str(Path(sys.executable).parent / "carebroker")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CAREBROKER, "simulate", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", ["essex-lah", "kent-oppd", "leics-short-breaks"])
def test_bundled_example_prints_a_result_of_the_documented_shape(name):
    """Each bundled example runs, exit 0, and prints the documented output shape."""
    result = simulate(str(EXAMPLES / f"{name}.json"))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["policy"] == name
    keys = {"id", "status", "provider", "awarded_at", "stage", "gate", "requests",
            "provider_view", "events"}  # fmt: skip
    for pkg in output["packages"]:
        assert set(pkg) == keys
        assert pkg["status"] in ("awarded", "sourcing", "on_hold", "unfilled", "returned",
                                 "closed", "cancelled")  # fmt: skip
        for request in pkg["requests"]:
            assert request["sent_at"].endswith("Z") and request["deadline"].endswith("Z")


def test_out_writes_the_result_to_a_file(tmp_path):
    """--out FILE writes the same JSON to the file and nothing to stdout."""
    out = tmp_path / "r.json"
    result = simulate(str(EXAMPLES / "essex-lah.json"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text())["policy"] == "essex-lah"


def test_malformed_scenario_names_every_bad_field_and_prints_nothing(tmp_path):
    """A bad postcode and a bad kind: both on stderr, nothing on stdout, non-zero exit."""
    source = json.loads((EXAMPLES / "essex-lah.json").read_text())
    source["packages"][2]["postcode"] = "ZZ99"
    source["providers"][0]["kind"] = "spott"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(source))
    result = simulate(str(path))
    assert result.returncode != 0
    assert result.stdout == ""
    assert "packages[2].postcode: not a UK postcode" in result.stderr
    assert "providers[0].kind: must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_json_is_refused_clearly(tmp_path):
    """A file that is not JSON is refused with a message, not a traceback."""
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = simulate(str(path))
    assert result.returncode != 0 and result.stdout == ""
    assert "not valid JSON" in result.stderr
