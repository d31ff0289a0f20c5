"""Essex assessments: only the highest-ranked responder, 24 h / 4 h / 13:00 next day (§4.2)."""

import tomllib

from carebroker.engine.policy import PRESETS_DIR
from tests.engine.replay import answer, events, only, package, provider, replay, requests, scenario

TIER1 = [provider(p, tier=1, areas={"North": i}) for i, p in enumerate(("P1", "P2", "P3"), 1)]


def run(pkg, script):
    return only(replay(scenario("essex-lah", TIER1, [pkg], script)))


def interest(*who, at="2026-11-23T09:00:00Z"):
    return [answer(at, p, "interest") for p in who]


def test_assessment_must_finish_within_24_hours_of_the_isp():
    """ISP Monday 10:00: the assessment is due Tuesday 10:00; accepting then awards."""
    script = [
        *interest("P1"),
        answer("2026-11-23T10:10:00Z", "P1", "assessment"),
        answer("2026-11-24T09:00:00Z", "P1", "assessment_done", accept=True, start="2026-12-08"),
    ]
    pkg = run(package(), script)
    assert events(pkg, "assessment_agreed")[0]["due"] == "2026-11-24T10:00:00Z"
    assert (pkg["provider"], pkg["awarded_at"]) == ("P1", "2026-11-24T09:00:00Z")
    assert events(pkg, "award")[0]["start"] == "2026-12-08"


def test_hospital_discharge_assessment_within_4_hours():
    """Hospital discharge, ISP at 10:00: the assessment is due 14:00 the same day."""
    script = [*interest("P1"), answer("2026-11-23T10:10:00Z", "P1", "assessment")]
    pkg = run(package(hospital_discharge=True, preferred_start="2027-01-20"), script)
    assert events(pkg, "assessment_agreed")[0]["due"] == "2026-11-23T14:00:00Z"


def test_hospital_discharge_isp_after_15_assessment_by_13_next_calendar_day():
    """A council copy whose ISPs go out at 15:30: a discharge assessment is due 13:00 next day.

    The ISP goes out Friday 15:30 (after 15:00), so the assessment is due Saturday 13:00
    (calendar day, elapsed time), not 19:30 the same day.
    """
    policy = tomllib.loads((PRESETS_DIR / "essex-lah.toml").read_text())
    [batch] = [s for s in policy["stages"] if s["name"] == "batch"]
    batch["interest_deadline"] = "next working day at 15:30"
    script = [
        answer("2026-11-20T09:00:00Z", "P1", "interest"),
        answer("2026-11-20T15:40:00Z", "P1", "assessment"),
    ]
    pkg = only(
        replay(
            scenario(
                policy,
                TIER1,
                [
                    package(
                        hospital_discharge=True,
                        referred_at="2026-11-19T10:00:00Z",
                        preferred_start="2027-01-20",
                    )
                ],
                script,
            )
        )
    )
    assert requests(pkg, stage="batch", round="offer")[0]["sent_at"] == "2026-11-20T15:30:00Z"
    assert events(pkg, "assessment_agreed")[0]["due"] == "2026-11-21T13:00:00Z"


def test_late_round_assessment_counts_from_its_own_isp():
    """A late-round ISP sent at 10:40 for a hospital discharge: assessment due 14:40."""
    script = [
        answer("2026-11-23T09:00:00Z", "P2", "interest"),
        answer("2026-11-23T10:30:00Z", "P1", "interest"),  # late: kept
        answer("2026-11-23T10:40:00Z", "P2", "decline", reason="no capacity"),
        answer("2026-11-23T11:10:00Z", "P1", "assessment"),
    ]
    pkg = run(package(hospital_discharge=True, preferred_start="2027-01-20"), script)
    assert events(pkg, "assessment_agreed")[0]["due"] == "2026-11-23T14:40:00Z"


def test_lower_ranked_request_to_assess_is_refused():
    """P1 offers, P2 asks to assess: P2 is refused and P1 is awarded."""
    script = [
        *interest("P1", "P2"),
        answer("2026-11-23T10:10:00Z", "P2", "assessment"),
        answer("2026-11-23T10:20:00Z", "P1", "offer"),
    ]
    pkg = run(package(), script)
    assert events(pkg, "assessment_refused")[0]["provider"] == "P2"
    assert (pkg["provider"], pkg["awarded_at"]) == ("P1", "2026-11-23T10:20:00Z")


def test_award_waits_for_the_highest_ranked_assessment():
    """P1 asks to assess, P2 offers: nothing is awarded until P1 reports back."""
    script = [
        *interest("P1", "P2"),
        answer("2026-11-23T10:10:00Z", "P1", "assessment"),
        answer("2026-11-23T10:20:00Z", "P2", "offer"),
        answer("2026-11-23T16:00:00Z", "P1", "assessment_done", accept=True),
    ]
    pkg = run(package(), script)
    assert (pkg["provider"], pkg["awarded_at"]) == ("P1", "2026-11-23T16:00:00Z")
    assert requests(pkg, provider="P2", round="offer")[0]["not_awarded"] == "not_chosen"


def test_assessor_not_accepting_passes_to_next_ranked_offer():
    """P1 assesses and says no: the package goes to P2, the next-ranked provider that offered."""
    script = [
        *interest("P1", "P2"),
        answer("2026-11-23T10:10:00Z", "P1", "assessment"),
        answer("2026-11-23T10:20:00Z", "P2", "offer"),
        answer("2026-11-23T15:00:00Z", "P1", "assessment_done", accept=False),
    ]
    pkg = run(package(), script)
    assert (pkg["provider"], pkg["awarded_at"]) == ("P2", "2026-11-23T15:00:00Z")


def test_silent_assessor_at_the_deadline_passes_to_next_ranked_offer():
    """P1 never reports back: at the 24-hour deadline the package goes to P2."""
    script = [
        *interest("P1", "P2"),
        answer("2026-11-23T10:10:00Z", "P1", "assessment"),
        answer("2026-11-23T10:20:00Z", "P2", "offer"),
    ]
    pkg = run(package(), script)
    assert (pkg["provider"], pkg["awarded_at"]) == ("P2", "2026-11-24T10:00:00Z")
    assert events(pkg, "assessment_expired")[0]["provider"] == "P1"


def test_assessor_declining_with_no_other_offer_ends_the_round():
    """No other provider offered: the round ends without an award, the batch stage ends."""
    script = [
        *interest("P1"),
        answer("2026-11-23T10:10:00Z", "P1", "assessment"),
        answer("2026-11-23T12:00:00Z", "P1", "assessment_done", accept=False),
    ]
    pkg = run(package(), script)
    assert pkg["status"] != "awarded"
    assert events(pkg, "stage_ended")[0]["stage"] == "batch"
