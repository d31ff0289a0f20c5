"""Kent: other contracted, non-contracted gate, CQC, after acceptance, RAG, handbacks (§5.3–5)."""

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
MARKET = [
    provider("C1", kind="clustered", areas={AREA: 1}),
    provider("O1", kind="other_contracted", areas={AREA: 1}),
    provider("N1", kind="non_contracted", areas={AREA: 1},
             cqc={"registered": True, "rating": "Requires improvement"}),
    provider("N2", kind="non_contracted", areas={AREA: 2},
             cqc={"registered": True, "rating": "Outstanding"}),
    provider("N3", kind="non_contracted", areas={AREA: 3}, cqc={"registered": False,
                                                                 "rating": None}),
    provider("N4", kind="non_contracted", areas={AREA: 4},
             cqc={"registered": True, "rating": "Good"}),
]  # fmt: skip


def run(script=(), until="2026-12-31T17:00:00Z", **fields):
    row = {"area": AREA, "postcode": "TN23 1AA", "referred_at": "2026-11-23T10:00:00Z",
           "preferred_start": "2026-12-07"}  # fmt: skip
    row.update(fields)
    return only(replay(scenario("kent-oppd", MARKET, [package(**row)], list(script),
                                until=until)))  # fmt: skip


def test_other_contracted_follow_the_cluster_and_get_no_decline_notice():
    """After the cluster, other contracted providers; their silence sends no notice (§5.3)."""
    pkg = run(until="2026-11-23T14:30:00Z")
    assert [r["provider"] for r in pkg["requests"]] == ["C1", "O1"]
    assert [n["provider"] for n in events(pkg, "notice_sent")] == ["C1"]


def test_non_contracted_needs_the_area_support_managers_approval():
    """Other contracted exhausted: on hold at non_contracted_approval; nothing sent (§5.4)."""
    pkg = run(until="2026-11-24T17:00:00Z")
    assert (pkg["status"], pkg["gate"], pkg["stage"]) == (
        "on_hold", "non_contracted_approval", "other_contracted")  # fmt: skip
    assert events(pkg, "gate_raised")[0]["decided_by"] == "manager"
    assert [r["provider"] for r in pkg["requests"]] == ["C1", "O1"]


def test_non_contracted_only_cqc_registered_rated_good_or_outstanding():
    """Approved: only N2 (Outstanding) and N4 (Good) are approached, in rank order (§5.5)."""
    approve = decision("2026-11-24T09:00:00Z", "manager", "approve", gate="non_contracted_approval")
    pkg = run([approve], until="2026-11-24T14:00:00Z")
    assert [r["provider"] for r in requests(pkg, stage="non_contracted")] == ["N2", "N4"]
    skipped = {e["provider"]: e["why"] for e in events(pkg, "provider_skipped")}
    assert skipped == {"N1": "CQC rating not Good or Outstanding", "N3": "not CQC registered"}


def test_every_stage_exhausted_leaves_the_package_unfilled():
    """Nothing left to try after the non-contracted cascade: unfilled."""
    approve = decision("2026-11-24T09:00:00Z", "manager", "approve", gate="non_contracted_approval")
    pkg = run([approve])
    assert pkg["status"] == "unfilled"


def test_after_acceptance_confirmation_form_within_two_working_hours():
    """Accepted at 16:00: courtesy call and Provider Confirmation Form due 10:00 the next day."""
    pkg = run([answer("2026-11-23T16:00:00Z", "C1", "accept")], referred_at="2026-11-23T15:00:00Z")
    assert events(pkg, "confirmation_form_due")[0]["due"] == "2026-11-24T10:00:00Z"


def test_sdo_two_working_days_after_confirmation_then_financial_assessment_two_more():
    """Confirmed Thursday 11:00: SDO due Monday 11:00, financial assessment Wednesday 11:00."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-11-26T11:00:00Z", "C1", "confirm", start="2026-12-07", call_times="08:00"),
    ]
    pkg = run(script)
    assert events(pkg, "service_delivery_order_due")[0]["due"] == "2026-11-30T11:00:00Z"
    assert events(pkg, "financial_assessment_due")[0]["due"] == "2026-12-02T11:00:00Z"


def test_review_four_weeks_from_start_when_known_to_team_else_two_to_eight_weeks():
    """Reviews: known to the team, 4 weeks from the start; otherwise within 2 to 8 weeks."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-11-24T11:00:00Z", "C1", "confirm", start="2026-12-07"),
    ]
    known = run(script, known_to_team=True)
    assert events(known, "review_due")[0]["due"] == "2027-01-04"
    new = run(script)
    assert (events(new, "review_due")[0]["earliest"], events(new, "review_due")[0]["latest"]) == (
        "2026-12-21", "2027-02-01")  # fmt: skip


def test_waiting_list_amber_at_5_working_days_red_at_10():
    """RAG from referral accepted (Mon 23 Nov): amber Mon 30 Nov, red Mon 7 Dec, with actions."""
    pkg = run(until="2026-12-08T17:00:00Z")
    rag = [(e["at"], e["rag"], e["action"]) for e in events(pkg, "waiting_list_rag")]
    assert rag == [
        ("2026-11-30T10:00:00Z", "amber", "consider_reassessment"),
        ("2026-12-07T10:00:00Z", "red", "escalate_to_team_manager"),
    ]


def test_no_rag_once_the_package_is_placed():
    """An awarded package leaves the waiting list: no amber, no red."""
    pkg = run([answer("2026-11-23T11:00:00Z", "C1", "accept")])
    assert events(pkg, "waiting_list_rag") == []


def test_individual_handback_is_escalated_and_the_package_returns_to_the_list():
    """A handback goes to the area support manager at once and sourcing starts again (§5)."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-12-10T11:00:00Z", "C1", "handback", reason="staffing"),
    ]
    pkg = run(script, until="2026-12-10T12:00:00Z")
    assert events(pkg, "handback_escalated")[0]["to"] == "manager"
    assert pkg["status"] == "sourcing"
    assert requests(pkg, provider="O1")[-1]["sent_at"] == "2026-12-10T11:00:00Z"


def test_handback_over_call_time_preference_is_refused():
    """Seed 003: a mere preference about call times is not a handback: refused with the
    reason, nothing escalated, the placement goes on."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-12-10T11:00:00Z", "C1", "handback", reason="call_times"),
    ]
    pkg = run(script, until="2026-12-10T12:00:00Z")
    assert pkg["status"] == "awarded"
    assert events(pkg, "handback_escalated") == []
    assert events(pkg, "ignored")[-1]["ignored"] == (
        "a preference about call times only is not a handback"
    )


def test_handback_restarts_the_waiting_clock_from_the_handback_in_working_days():
    """§5 Handbacks: back on the list on Thursday 17 December 2026 at 11:00. Amber after 5
    working days: Fri 18, Mon 21, Tue 22, Wed 23, Thu 24 December. Red after 10: then Tue 29,
    Wed 30, Thu 31 December, Mon 4 and Tue 5 January 2027 (Christmas Day, the Boxing Day
    holiday on Monday 28 December and New Year's Day are not working days)."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-12-17T11:00:00Z", "C1", "handback", reason="staffing"),
    ]
    pkg = run(script, until="2027-01-08T17:00:00Z")
    rag = [(e["at"], e["rag"]) for e in events(pkg, "waiting_list_rag")]
    assert rag[:2] == [("2026-12-24T11:00:00Z", "amber"), ("2027-01-05T11:00:00Z", "red")]


def test_a_confirmation_with_a_start_before_today_is_refused():
    """§5 After acceptance: confirmed on Wednesday 25 November with a start of Tuesday 24:
    refused with the reason; no SDO clock starts."""
    script = [
        answer("2026-11-23T11:00:00Z", "C1", "accept"),
        answer("2026-11-25T11:00:00Z", "C1", "confirm", start="2026-11-24"),
    ]
    pkg = run(script)
    assert events(pkg, "confirmed") == []
    assert events(pkg, "service_delivery_order_due") == []
    assert events(pkg, "ignored")[-1]["ignored"] == (
        "the start date on the confirmation is before today"
    )
