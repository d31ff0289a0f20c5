"""Kent: referral check, the cluster cascade, considering, documents, later start (§5.1–2)."""

from tests.engine.replay import (
    answer,
    decision,
    events,
    only,
    package,
    provider,
    replay,
    requests,
    scenario,
)

AREA = "Ashford A"
CLUSTER = [
    provider("C1", kind="clustered", areas={AREA: 1}),
    provider("C2", kind="clustered", areas={AREA: 2}),
    provider("C3", kind="clustered", areas={AREA: 3}),
    provider("CX", kind="clustered", areas={"Dover B": 1}),
]
COMPLETE = ["financial_authorisation", "referral_form", "charging_letter"]


def kent_package(**fields):
    # Monday 23 Nov 2026, 10:00 GMT; start in a fortnight
    row = {"area": AREA, "postcode": "TN23 1AA", "referred_at": "2026-11-23T10:00:00Z",
           "preferred_start": "2026-12-07", "documents": COMPLETE}  # fmt: skip
    row.update(fields)
    return package(**row)


def run(script=(), market=CLUSTER, until="2026-12-31T17:00:00Z", **fields):
    return only(replay(scenario("kent-oppd", market, [kent_package(**fields)], list(script),
                                until=until)))  # fmt: skip


def test_referral_missing_documents_is_returned_listing_exactly_what_is_missing():
    """Known to the team and from enablement, no charging letter: returned with 3 names (§5.1)."""
    pkg = run(documents=["financial_authorisation", "referral_form"], known_to_team=True,
              from_enablement=True)  # fmt: skip
    assert pkg["status"] == "returned"
    (returned,) = events(pkg, "referral_returned")
    assert returned["missing"] == ["charging_letter", "bica", "final_review_form"]
    assert pkg["requests"] == []


def test_team_manager_approval_needed_when_times_stipulated_or_enablement_bypassed():
    """Stipulated call times or a bypassed enablement need the Team Manager's approval."""
    for flag in ("times_stipulated", "bypassed_enablement"):
        pkg = run(**{flag: True})
        assert events(pkg, "referral_returned")[0]["missing"] == ["team_manager_approval"], flag
    assert run(risk=True, documents=[*COMPLETE, "risk_assessment"])["status"] != "returned"


def test_referral_without_documents_field_counts_as_complete():
    """docs/scenarios.md: `documents` left out means the referral is treated as complete."""
    row = kent_package()
    del row["documents"]
    pkg = only(replay(scenario("kent-oppd", CLUSTER, [row], [], until="2026-11-23T11:00:00Z")))
    assert requests(pkg)[0]["provider"] == "C1"


def test_cluster_protocol_order_two_working_hours_silence_is_a_decline():
    """C1 then C2 then C3 of the cluster, 2 working hours each; silence counts as a decline."""
    pkg = run(until="2026-11-23T16:30:00Z")
    assert [
        (r["provider"], r["sent_at"], r["deadline"], r["outcome"]) for r in pkg["requests"]
    ] == [
        ("C1", "2026-11-23T10:00:00Z", "2026-11-23T12:00:00Z", "expired"),
        ("C2", "2026-11-23T12:00:00Z", "2026-11-23T14:00:00Z", "expired"),
        ("C3", "2026-11-23T14:00:00Z", "2026-11-23T16:00:00Z", "expired"),
    ]


def test_clustered_provider_declining_gets_the_decline_notice():
    """A clustered provider's decline (or silence) gets the standard decline email (§5.2)."""
    pkg = run([answer("2026-11-23T10:30:00Z", "C1", "decline", reason="no carers")],
              until="2026-11-23T12:29:00Z")  # fmt: skip
    assert [n["provider"] for n in events(pkg, "notice_sent")] == ["C1"]
    assert requests(pkg, provider="C1")[0]["reason"] == "no carers"
    assert requests(pkg, provider="C2")[0]["sent_at"] == "2026-11-23T10:30:00Z"


def test_accept_awards_first_accept():
    """The first provider who accepts is awarded at its answer."""
    pkg = run([answer("2026-11-23T11:00:00Z", "C1", "accept")])
    assert (pkg["provider"], pkg["stage"], pkg["awarded_at"]) == (
        "C1", "cluster", "2026-11-23T11:00:00Z")  # fmt: skip


def test_considering_until_before_start_holds_the_cascade_until_then():
    """C1 is still considering until Wednesday 12:00: C2 is not approached before then."""
    script = [answer("2026-11-23T11:00:00Z", "C1", "considering", until="2026-11-25T12:00:00Z")]
    pkg = run(script, until="2026-11-25T13:00:00Z")
    c1 = requests(pkg, provider="C1")[0]
    assert (c1["deadline"], c1["outcome"]) == ("2026-11-25T12:00:00Z", "expired")
    assert requests(pkg, provider="C2")[0]["sent_at"] == "2026-11-25T12:00:00Z"


def test_considering_until_not_before_start_date_is_refused():
    """A time on or after the start date is refused; the request keeps its 2-hour deadline."""
    script = [answer("2026-11-23T11:00:00Z", "C1", "considering", until="2026-12-07T09:00:00Z")]
    pkg = run(script, until="2026-11-23T12:30:00Z")
    assert events(pkg, "considering_refused")[0]["provider"] == "C1"
    c1 = requests(pkg, provider="C1")[0]
    assert (c1["deadline"], c1["outcome"]) == ("2026-11-23T12:00:00Z", "expired")


def test_manager_may_approach_next_provider_while_one_considers():
    """The area support manager's next_provider: C2 is approached while C1 considers."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "considering", until="2026-11-26T12:00:00Z"),
        decision("2026-11-23T11:30:00Z", "manager", "next_provider"),
        answer("2026-11-23T12:00:00Z", "C2", "accept"),
    ]
    pkg = run(script)
    assert requests(pkg, provider="C2")[0]["sent_at"] == "2026-11-23T11:30:00Z"
    assert pkg["provider"] == "C2"
    assert requests(pkg, provider="C1")[0]["outcome"] == "withdrawn"


def test_documents_asked_for_are_due_within_two_working_hours():
    """A provider asking for documents: they are due 2 working hours later (§5.2)."""
    pkg = run([answer("2026-11-23T16:00:00Z", "C1", "query", text="BICA please")],
              until="2026-11-23T16:30:00Z", referred_at="2026-11-23T15:30:00Z")  # fmt: skip
    assert events(pkg, "documents_requested")[0]["due"] == "2026-11-24T10:00:00Z"


def test_later_start_date_raises_a_gate_for_the_area_support_manager():
    """C1 accepts but can only start later: on hold at later_start until the manager decides."""
    script = [answer("2026-11-23T11:00:00Z", "C1", "accept", start="2026-12-14")]
    held = run(script, until="2026-11-23T15:00:00Z")
    assert (held["status"], held["gate"]) == ("on_hold", "later_start")
    approved = run([*script, decision("2026-11-23T15:00:00Z", "manager", "approve",
                                      gate="later_start")])  # fmt: skip
    assert (approved["provider"], approved["awarded_at"]) == ("C1", "2026-11-23T15:00:00Z")
    refused = run([*script, decision("2026-11-23T15:00:00Z", "manager", "decide",
                                     choice="continue")], until="2026-11-23T15:30:00Z")  # fmt: skip
    assert refused["status"] == "sourcing"
    assert requests(refused, provider="C2")[0]["sent_at"] == "2026-11-23T15:00:00Z"


def test_sanctioned_provider_skipped_unless_a_manager_approves():
    """C1 is under a sanction: skipped; approached when the manager approved it beforehand."""
    market = [provider("C1", kind="clustered", areas={AREA: 1}, sanctioned=True), *CLUSTER[1:]]
    pkg = run(market=market, until="2026-11-23T10:30:00Z")
    assert requests(pkg)[0]["provider"] == "C2"
    assert events(pkg, "provider_skipped")[0] == {
        "at": "2026-11-23T10:00:00Z", "type": "provider_skipped", "stage": "cluster",
        "provider": "C1", "why": "sanctioned"}  # fmt: skip
    approval = decision("2026-11-23T09:00:00Z", "manager", "approve", gate="sanction_approval",
                        provider="C1")  # fmt: skip
    pkg = run([approval], market=market, until="2026-11-23T10:30:00Z")
    assert requests(pkg)[0]["provider"] == "C1"


def test_an_answer_exactly_at_the_deadline_is_in_time():
    """C1 accepts at 12:00, its deadline: in time, awarded; C2 is never approached."""
    pkg = run([answer("2026-11-23T12:00:00Z", "C1", "accept")])
    assert (pkg["provider"], pkg["awarded_at"]) == ("C1", "2026-11-23T12:00:00Z")
    assert requests(pkg, provider="C2") == []


def test_an_answer_after_the_deadline_is_recorded_as_ignored():
    """C1 accepts at 12:01, after its deadline: ignored; the cascade has moved on to C2."""
    pkg = run([answer("2026-11-23T12:01:00Z", "C1", "accept")], until="2026-11-23T13:00:00Z")
    assert pkg["status"] == "sourcing"
    assert events(pkg, "ignored")[0]["provider"] == "C1"
    assert requests(pkg, provider="C1")[0]["outcome"] == "expired"
