"""Kent's self-funders leaving enablement (docs/policies.md §5 Self-funders, engine/grace.py):
a self-funder's referral waits 5 working days of grace, counted by the policy's working
calendar (weekends and bank holidays skipped), before it goes to purchasing; the grace end
is on the timeline; the waiting list's colours count from the end of the grace."""

from tests.engine.replay import events, only, package, provider, replay, requests, scenario

AREA = "Ashford A"
CLUSTER = [provider("C1", kind="clustered", areas={AREA: 1})]


def run(referred_at, until, **fields):
    row = {"area": AREA, "postcode": "TN23 1AA", "referred_at": referred_at,
           "preferred_start": "2027-01-11", **fields}  # fmt: skip
    return only(replay(scenario("kent-oppd", CLUSTER, [package(**row)], [], until=until)))


def test_self_funder_grace_is_five_working_days_before_purchasing():
    """Referred Monday 30 November 10:00: the grace ends Monday 7 December 10:00; no
    provider is asked before then, and the first request goes out at that moment."""
    waiting = run("2026-11-30T10:00:00Z", "2026-12-07T09:59:00Z", self_funder=True)
    (grace,) = events(waiting, "self_funder_grace")
    assert grace["grace_ends"] == "2026-12-07T10:00:00Z"
    assert requests(waiting) == [] and events(waiting, "stage_started") == []
    assert waiting["status"] == "sourcing"
    over = run("2026-11-30T10:00:00Z", "2026-12-07T10:00:00Z", self_funder=True)
    assert [e["at"] for e in events(over, "grace_ended")] == ["2026-12-07T10:00:00Z"]
    assert [(r["provider"], r["sent_at"]) for r in requests(over)] == [
        ("C1", "2026-12-07T10:00:00Z")
    ]


def test_self_funder_grace_skips_christmas_and_the_boxing_day_substitute():
    """Referred Wednesday 23 December 2026 11:00: Thursday 24, Tuesday 29, Wednesday 30,
    Thursday 31 December and Monday 4 January (Friday 25 Christmas Day, Monday 28 the
    Boxing Day substitute, Friday 1 January New Year's Day): the grace ends Monday 4
    January 2027 at 11:00."""
    pkg = run("2026-12-23T11:00:00Z", "2027-01-04T11:00:00Z", self_funder=True)
    (grace,) = events(pkg, "self_funder_grace")
    assert grace["grace_ends"] == "2027-01-04T11:00:00Z"
    assert [r["sent_at"] for r in requests(pkg)] == ["2027-01-04T11:00:00Z"]


def test_self_funder_waiting_list_colour_counts_from_the_end_of_the_grace():
    """Amber 5 working days after the grace ends (Monday 14 December 10:00), not after
    the referral (which would be the grace end itself)."""
    pkg = run("2026-11-30T10:00:00Z", "2026-12-14T10:00:00Z", self_funder=True)
    assert [(e["at"], e["rag"]) for e in events(pkg, "waiting_list_rag")] == [
        ("2026-12-14T10:00:00Z", "amber")
    ]


def test_a_referral_that_is_no_self_funders_has_no_grace():
    pkg = run("2026-11-30T10:00:00Z", "2026-11-30T10:00:00Z")
    assert events(pkg, "self_funder_grace") == []
    assert [r["sent_at"] for r in requests(pkg)] == ["2026-11-30T10:00:00Z"]


def test_self_funder_grace_only_where_the_policy_gives_it():
    """Essex's policy has no self-funders' grace: the flag changes nothing there."""
    essex = [provider("E1", kind="framework", areas={"North": 1})]
    row = {"area": "North", "referred_at": "2026-11-30T10:00:00Z",
           "preferred_start": "2027-01-11", "self_funder": True}  # fmt: skip
    pkg = only(replay(scenario("essex-lah", essex, [package(**row)], [],
                               until="2026-12-01T10:00:00Z")))  # fmt: skip
    assert events(pkg, "self_funder_grace") == []
