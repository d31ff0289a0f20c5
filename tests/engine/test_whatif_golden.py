"""Golden what-if summaries (issue 14): engine optimisations must not move any result.

Each file under tests/engine/golden/ is the output of
``carebroker simulate --generate examples/whatif-<preset>.toml --seed 7`` saved before the
engine was optimised. The test regenerates it and compares byte for byte; a difference means
the engine's behaviour changed, not that the golden file wants refreshing. Regenerate a golden
file only for a deliberate change of rules or summary format, and say so in the commit.

The full quarter is used (not a shorter variant): a four-week variant still took about 26 s for
the six presets on this loaded machine and left stages out of some runs (Kent's
"ask_declared_first" never reached non_contracted, Leicestershire's "ignore" never reached
off_framework), so it would not pin every stage. The full runs take about a minute, hence slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carebroker.engine.whatif import run_whatif

pytestmark = pytest.mark.slow  # six generated quarters through the engine: about a minute

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = 7
MARKETS = sorted(path.name for path in (ROOT / "examples").glob("whatif-*.toml"))


def _golden(market: str) -> Path:
    return GOLDEN / f"{Path(market).stem}-seed{SEED}.txt"


def test_every_preset_what_if_market_has_a_golden_summary() -> None:
    """A new examples/whatif-*.toml needs its golden file, and no golden file is orphaned."""
    assert MARKETS, "no examples/whatif-*.toml found"
    expected = {_golden(market).name for market in MARKETS}
    assert {path.name for path in GOLDEN.glob("*.txt")} == expected


@pytest.mark.parametrize("market", MARKETS)
def test_what_if_summary_is_byte_identical_to_its_golden_file(market: str) -> None:
    """The seed-7 summary of each preset's what-if market equals the saved one, byte for byte."""
    text = run_whatif(ROOT / "examples" / market, SEED)
    assert text.encode("utf-8") == _golden(market).read_bytes()
