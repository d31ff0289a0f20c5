"""Golden what-if summaries (issue 14): engine optimisations must not move any result.

Each file under tests/engine/golden/ is the output of
``carebroker simulate --generate examples/whatif-<preset>.toml --seed N`` for N in SEEDS (7 and
2027: two seeds, so a change that happens to leave one seed's draws alone still shows) saved
before the engine was optimised. The test regenerates it and compares byte for byte; a
difference means the engine's behaviour changed, not that the golden file wants refreshing.
Regenerate a golden file only for a deliberate change of rules or summary format, and say so in
the commit.

The full quarter is used (not a shorter variant): a four-week variant still took about 26 s for
the six presets on this loaded machine and left stages out of some runs (Kent's
"ask_declared_first" never reached non_contracted, Leicestershire's "ignore" never reached
off_framework), so it would not pin every stage. The full runs take about a minute per seed,
hence slow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carebroker.engine.whatif import run_whatif

pytestmark = pytest.mark.slow  # twelve generated quarters through the engine: about two minutes

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
SEEDS = (7, 2027)
MARKETS = sorted(path.name for path in (ROOT / "examples").glob("whatif-*.toml"))


def _golden(market: str, seed: int) -> Path:
    return GOLDEN / f"{Path(market).stem}-seed{seed}.txt"


def test_every_preset_what_if_market_has_a_golden_summary() -> None:
    """A new examples/whatif-*.toml needs its golden file, and no golden file is orphaned."""
    assert MARKETS, "no examples/whatif-*.toml found"
    expected = {_golden(market, seed).name for market in MARKETS for seed in SEEDS}
    assert {path.name for path in GOLDEN.glob("*.txt")} == expected


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("market", MARKETS)
def test_what_if_summary_is_byte_identical_to_its_golden_file(market: str, seed: int) -> None:
    """Each seed's summary of each preset's what-if market equals the saved one, byte for byte."""
    text = run_whatif(ROOT / "examples" / market, seed)
    assert text.encode("utf-8") == _golden(market, seed).read_bytes()
