"""A gate's decider may refuse or send the decision back with a reason (issue 10 item 2):
Kent's Area Support Manager refuses non-contracted providers (nothing left: unfilled);
Essex declines every open-market offer so far (the listing goes on); any gate returned to
the brokers with a reason stays at the gate for the same decider."""

import pytest

from carebroker.engine.scenario import ScenarioError
from tests.engine import test_essex_late_interest_tier2_open_market as essex
from tests.engine import test_kent_contracted_and_after as kent
from tests.engine.replay import answer, decision, events

APPROVAL = "non_contracted_approval"


def test_refusing_non_contracted_providers_leaves_the_package_unfilled():
    refuse = decision("2026-11-24T09:00:00Z", "manager", "decide", gate=APPROVAL, choice="refuse")
    pkg = kent.run([refuse], until="2026-11-25T17:00:00Z")
    assert (pkg["status"], pkg["gate"]) == ("unfilled", None)
    assert events(pkg, "gate_passed")[0]["decision"] == "refused"
    assert not [r for r in pkg["requests"] if r["stage"] == "non_contracted"]


def test_a_gate_returned_with_a_reason_stays_for_the_same_decider():
    back = decision("2026-11-24T09:00:00Z", "manager", "decide", gate=APPROVAL, choice="return",
                    reason="Is the family able to cover Sundays?")  # fmt: skip
    pkg = kent.run([back], until="2026-11-24T12:00:00Z")
    assert (pkg["status"], pkg["gate"]) == ("on_hold", APPROVAL)
    (returned,) = events(pkg, "gate_returned")
    assert returned["reason"] == "Is the family able to cover Sundays?"
    assert returned["gate"] == APPROVAL


def test_a_return_without_a_reason_is_refused_naming_the_field():
    back = decision("2026-11-24T09:00:00Z", "manager", "decide", gate=APPROVAL, choice="return")
    with pytest.raises(ScenarioError) as error:
        kent.run([back])
    assert "events[0].reason" in str(error.value)


def test_declining_every_open_market_offer_keeps_the_package_listed():
    script = [
        answer("2026-11-26T11:00:00Z", "S1", "offer", rate="27.50"),
        decision("2026-11-27T10:00:00Z", "broker", "decide", choice="continue"),
    ]
    pkg = essex.run(script, until="2026-11-27T12:00:00Z")
    assert (pkg["status"], pkg["gate"]) == ("sourcing", None)
    assert pkg["stage"] == "open_market"
