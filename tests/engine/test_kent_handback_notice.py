"""Kent: several packages handed back with notice (docs/policies.md §5 Handbacks, seed 003)."""

from tests.engine.replay import answer, events, only, package, provider, replay, requests, scenario

AREA = "Ashford A"
MARKET = [
    provider("C1", kind="clustered", areas={AREA: 1}),
    provider("O1", kind="other_contracted", areas={AREA: 1}),
]
ACCEPT = answer("2026-11-23T11:00:00Z", "C1", "accept")


def run(script, until="2026-12-31T17:00:00Z"):
    row = package(area=AREA, postcode="TN23 1AA", referred_at="2026-11-23T10:00:00Z",
                  preferred_start="2026-12-07")  # fmt: skip
    return only(replay(scenario("kent-oppd", MARKET, [row], [ACCEPT, *script], until=until)))


def notice(at, ends, reason="staffing"):
    return answer(at, "C1", "handback_notice", until=ends, reason=reason)


def test_several_handed_back_need_five_days_notice_an_earlier_date_is_refused():
    """Notice given on Monday 30 November 2026 for care to end on Friday 4 December (4 days):
    refused with the reason; the placement goes on, nothing escalated."""
    pkg = run([notice("2026-11-30T10:00:00Z", "2026-12-04T00:00:00Z")])
    assert pkg["status"] == "awarded"
    assert events(pkg, "ignored")[-1]["ignored"] == (
        "several packages handed back need at least 5 days' notice"
    )
    assert events(pkg, "handback_notice") == []
    assert events(pkg, "handback_call_due") == []


def test_five_days_notice_counts_calendar_days_from_the_day_given():
    """Monday 30 November to Saturday 5 December is 5 days' notice (a weekend day may be the
    notice date): taken, and the package stays with the provider until then."""
    pkg = run([notice("2026-11-30T16:59:00Z", "2026-12-05T00:00:00Z")],
              until="2026-12-04T23:00:00Z")  # fmt: skip
    assert events(pkg, "handback_notice")[0]["ends"] == "2026-12-05T00:00:00Z"
    assert pkg["status"] == "awarded"
    assert events(pkg, "returned_to_list") == []


def test_the_manager_calls_the_provider_within_24_elapsed_hours():
    """Notice given on Friday 4 December 2026 at 15:00: the call is due on Saturday 5 December
    at 15:00 (24 hours are elapsed hours, not working hours)."""
    pkg = run([notice("2026-12-04T15:00:00Z", "2026-12-14T00:00:00Z")],
              until="2026-12-05T17:00:00Z")  # fmt: skip
    call = events(pkg, "handback_call_due")[0]
    assert (call["to"], call["due"]) == ("manager", "2026-12-05T15:00:00Z")


def test_a_call_time_preference_is_refused_with_notice_too():
    pkg = run([notice("2026-11-30T10:00:00Z", "2026-12-14T00:00:00Z", reason="call_times")])
    assert pkg["status"] == "awarded"
    assert events(pkg, "ignored")[-1]["ignored"] == (
        "a preference about call times only is not a handback"
    )


def test_on_the_notice_date_the_package_is_sourced_again_its_waiting_clock_restarted():
    """Notice on Monday 14 December for Thursday 24 December 2026 (00:00 London): back on the
    list then, the other contracted provider asked at once, and the waiting clock restarts
    from the start of that working day (09:00). Amber after 5 working days: Christmas Day,
    the Boxing Day holiday on Monday 28 December and New Year's Day are not working days, so
    Tue 29, Wed 30, Thu 31 December, Mon 4 and Tue 5 January 2027; red after 5 more: Wed 6,
    Thu 7, Fri 8, Mon 11, Tue 12 January."""
    pkg = run([notice("2026-12-14T10:00:00Z", "2026-12-24T00:00:00Z")],
              until="2027-01-12T17:00:00Z")  # fmt: skip
    handback = events(pkg, "handback")[0]
    assert (handback["at"], handback["reason"]) == ("2026-12-24T00:00:00Z", "staffing")
    assert events(pkg, "returned_to_list")[0]["at"] == "2026-12-24T00:00:00Z"
    assert requests(pkg, provider="O1")[-1]["sent_at"] == "2026-12-24T00:00:00Z"
    rag = [(e["at"], e["rag"]) for e in events(pkg, "waiting_list_rag")]
    assert rag == [("2027-01-05T09:00:00Z", "amber"), ("2027-01-12T09:00:00Z", "red")]
