"""Leicestershire: emergencies by phone, unable to fill, filled, the provider view (§6.2–5)."""

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

AREA = "Charnwood"
MARKET = [
    provider("F1", kind="framework", areas={AREA: 1}),
    provider("F2", kind="framework", areas={AREA: 2}),
    provider("NF1", kind="non_framework", areas={AREA: 1}),
]


def run(script=(), until="2026-12-31T17:00:00Z", **fields):
    row = {"area": AREA, "postcode": "LE3 9QP", "referred_at": "2026-11-23T10:00:00Z",
           "preferred_start": "2027-01-11"}  # fmt: skip
    row.update(fields)
    return only(replay(scenario("leics-short-breaks", MARKET, [package(**row)], list(script),
                                until=until)))  # fmt: skip


def test_emergency_goes_by_telephone_cascade_two_working_hours_each():
    """An emergency: F1 then F2 one at a time, 2 working hours each (fixed here)."""
    pkg = run(emergency=True, until="2026-11-23T13:00:00Z")
    assert [(r["provider"], r["stage"], r["deadline"]) for r in pkg["requests"]] == [
        ("F1", "emergency", "2026-11-23T12:00:00Z"),
        ("F2", "emergency", "2026-11-23T14:00:00Z"),
    ]


def test_emergency_accept_awards_at_once():
    """The first provider who accepts the call is awarded."""
    pkg = run([answer("2026-11-23T10:30:00Z", "F1", "accept")], emergency=True)
    assert (pkg["provider"], pkg["stage"], pkg["awarded_at"]) == (
        "F1", "emergency", "2026-11-23T10:30:00Z")  # fmt: skip


def test_non_emergency_skips_the_emergency_cascade():
    """Not an emergency: straight to the framework tender."""
    pkg = run(until="2026-11-23T11:00:00Z")
    assert {r["stage"] for r in pkg["requests"]} == {"framework"}


def test_unable_to_fill_holds_with_the_reasons_providers_gave():
    """Framework and off-framework both fail: on hold at unable_to_fill with the reasons (§6.5)."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "decline", reason="N1"),
        answer("2026-11-24T10:00:00Z", "F2", "decline", reason="N4"),
        answer("2026-12-01T10:00:00Z", "NF1", "decline", reason="no staff"),
    ]
    pkg = run(script)
    assert (pkg["status"], pkg["gate"]) == ("on_hold", "unable_to_fill")
    gate = events(pkg, "gate_raised")[-1]
    assert gate["decided_by"] == "referrer"
    assert [(r["provider"], r["reason"]) for r in gate["reasons"]] == [
        ("F1", "N1"), ("F2", "N4"), ("NF1", "no staff")]  # fmt: skip


def test_unable_to_fill_closed_when_the_worker_says_so():
    """The worker says no further work: the case is closed."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "decline", reason="N1"),
        answer("2026-11-24T10:00:00Z", "F2", "decline", reason="N4"),
        answer("2026-12-01T10:00:00Z", "NF1", "decline", reason="no staff"),
        decision("2026-12-10T10:00:00Z", "referrer", "decide", choice="close"),
    ]
    pkg = run(script)
    assert pkg["status"] == "closed"
    assert events(pkg, "closed")[0]["at"] == "2026-12-10T10:00:00Z"


def test_filled_worker_told_ipa_sent_days_from_referral_recorded():
    """Filled: the worker is told, the IPA goes to the winner, days to award are recorded."""
    script = [answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="20.00")]
    pkg = run(script)
    award = events(pkg, "award")[0]
    assert award["working_days_from_referral"] == 5
    assert events(pkg, "referrer_told")[0]["why"] == "filled"
    assert events(pkg, "placement_agreement_sent")[0]["provider"] == "F1"


def test_provider_view_is_anonymised_before_award():
    """Initials, relations, MM/YYYY, town and partial postcode, no telephone (§6.2)."""
    person = {
        "name": "Tom Bright", "dob": "2017-05-09", "address": "3 Oak Road, Leicester",
        "phone": "0116 496 0000",
        "relations": [{"relation": "sister", "name": "Amy Bright"},
                      {"relation": "mum", "name": "Jo Bright"}],
        "worker": "Sam Patel", "needs": "Tom and Amy go to the park with Jo.",
    }  # fmt: skip
    pkg = run(person=person, until="2026-11-23T11:00:00Z")
    view = pkg["provider_view"]
    assert (view["name"], view["dob"], view["town"], view["postcode"]) == (
        "T.B.", "05/2017", "Leicester", "LE3 9")  # fmt: skip
    assert view["relations"] == ["sister (A)", "mum"]
    assert view["worker"] == "S.P."
    assert "0116" not in str(view) and "Bright" not in str(view)
    assert requests(pkg)[0]["provider"] == "F1"


def test_signed_ipa_returned_is_countersigned_and_the_start_recorded():
    """The winner returns the signed IPA: the council countersigns and records the start."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="20.00"),
        answer("2026-12-02T10:00:00Z", "F1", "confirm", start="2027-01-11"),
    ]
    pkg = run(script)
    assert events(pkg, "placement_agreement_countersigned")[0]["at"] == "2026-12-02T10:00:00Z"
    assert events(pkg, "confirmed")[0]["start"] == "2027-01-11"
    assert events(pkg, "award")[0]["rate"] == "20.00"


def test_emergency_not_placed_by_telephone_gets_the_urgent_tender_window():
    """Emergency cascade exhausted: the framework tender runs with the 2-working-day window."""
    pkg = run(emergency=True, until="2026-11-23T16:30:00Z")
    tender = requests(pkg, stage="framework")
    assert [(r["sent_at"], r["deadline"]) for r in tender][:1] == [
        ("2026-11-23T14:00:00Z", "2026-11-25T14:00:00Z")]  # fmt: skip


def test_unable_to_fill_worker_asks_to_continue_sourcing_starts_again():
    """The worker offers flexibility and asks to go on: the framework tender starts again."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "decline", reason="N1"),
        answer("2026-11-24T10:00:00Z", "F2", "decline", reason="N4"),
        answer("2026-12-01T10:00:00Z", "NF1", "decline", reason="no staff"),
        decision("2026-12-10T10:00:00Z", "referrer", "decide", choice="continue"),
    ]
    pkg = run(script, until="2026-12-10T11:00:00Z")
    assert (pkg["status"], pkg["gate"], pkg["stage"]) == ("sourcing", None, "framework")
    again = [r for r in requests(pkg, stage="framework") if r["sent_at"] == "2026-12-10T10:00:00Z"]
    assert [r["provider"] for r in again] == ["F1", "F2"]
