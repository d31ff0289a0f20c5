"""The presets carry the numbers of docs/policies.md §3–6; a broken policy names every bad field."""

from datetime import time
from pathlib import Path

import pytest

from carebroker.engine.policy import PRESETS, PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.workingtime import Deadline


@pytest.fixture(scope="module")
def essex():
    return load_policy("essex-lah")


@pytest.fixture(scope="module")
def kent():
    return load_policy("kent-oppd")


@pytest.fixture(scope="module")
def leics():
    return load_policy("leics-short-breaks")


def d(text: str) -> Deadline:
    return Deadline.parse(text)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_under_its_own_name(name):
    """Each shipped preset validates and is named as docs/policies.md §3 names it."""
    assert load_policy(name).name == name


def test_preset_stage_names_and_kinds_in_order(essex, kent, leics):
    """docs/policies.md §3: the stage names and kinds of each preset, in order."""
    assert [(s.name, s.kind) for s in essex.stages] == [
        ("current_provider", "cascade"),
        ("urgent", "cascade"),
        ("batch", "batch"),
        ("tier2", "cascade"),
        ("open_market", "open_market"),
    ]
    assert [(s.name, s.kind) for s in kent.stages] == [
        ("cluster", "cascade"),
        ("other_contracted", "cascade"),
        ("non_contracted", "cascade"),
    ]
    assert [(s.name, s.kind) for s in leics.stages] == [
        ("emergency", "cascade"),
        ("framework", "tender"),
        ("off_framework", "tender"),
    ]


def test_working_hours_are_nine_to_five(essex, kent, leics):
    """docs/policies.md §1: working hours 09:00 to 17:00 for every council."""
    for policy in (essex, kent, leics):
        assert (policy.working_time.day_start, policy.working_time.day_end) == (
            time(9),
            time(17),
        )


def test_essex_urgent_when_start_within_3_working_days_or_flagged(essex):
    """docs/policies.md §4.1: urgent if starting within 3 working days of referral, or flagged"""
    assert essex.urgent.within_working_days == 3
    assert set(essex.urgent.flags) == {"urgent", "hospital_discharge"}


def test_essex_urgent_cascade_runs_alongside_batch_one_working_hour(essex):
    """docs/policies.md §4.1: urgent only, Tier 1 then Tier 2 by rank, 1 working hour each."""
    urgent = essex.stage("urgent")
    assert urgent.applies_to == "urgent"
    assert urgent.parallel_with == "batch"
    assert urgent.window == d("1 working hour")
    assert urgent.providers.tiers == (1, 2)
    assert urgent.providers.order == "tier_then_rank"
    assert urgent.award == "first_accept"


def test_essex_batch_at_16_interest_by_10_next_working_day(essex):
    """docs/policies.md §4.2: the batch at 16:00, interest due 10:00 the next working day."""
    batch = essex.stage("batch")
    assert batch.issue_at == time(16)
    assert batch.interest_deadline == d("next working day at 10:00")
    assert batch.providers.tiers == (1,)
    # §4.2: a change its current provider declined is sourced from the next batch
    assert batch.exclude_change_to_existing is False
    current = essex.stage("current_provider")
    assert (current.applies_to, current.providers.match) == (
        "change_to_existing",
        ("current_provider",),
    )
    assert current.window == d("1 working day")


def test_essex_isp_offer_window_one_working_hour_highest_rank(essex):
    """docs/policies.md §4.2: ISP offer round of 1 working hour, award to the highest rank."""
    batch = essex.stage("batch")
    assert batch.offer_window == d("1 working hour")
    assert batch.award == "highest_rank"
    assert batch.not_chosen_notice is True


def test_essex_assessment_24h_or_4h_discharge_or_13_next_day_after_15(essex):
    """docs/policies.md §4.2: assessment 24 h; hospital discharge 4 h; ISP after 15:00 -> 13:00."""
    rule = essex.stage("batch").assessment
    assert rule is not None
    assert rule.only_highest_ranked is True
    assert rule.window == d("24 hours")
    assert rule.hospital_discharge_window == d("4 hours")
    assert rule.hospital_discharge_late_after == time(15)
    assert rule.hospital_discharge_late_by == time(13)


def test_essex_one_round_and_late_interest_kept(essex):
    """docs/policies.md §4.2: rounds = 1; late interest gets one further offer round."""
    batch = essex.stage("batch")
    assert batch.rounds == 1
    assert batch.late_interest is True


def test_essex_tier2_cascade_two_working_hours(essex):
    """docs/policies.md §4.3: Tier 2 in rank order, 2 working hours each."""
    tier2 = essex.stage("tier2")
    assert tier2.providers.tiers == (2,)
    assert tier2.window == d("2 working hours")


def test_essex_open_market_mondays_and_thursdays_at_9(essex):
    """docs/policies.md §4.4: Mon and Thu 09:00 to framework and spot; the council chooses."""
    market = essex.stage("open_market")
    assert market.weekdays == (0, 3)
    assert market.issue_at == time(9)
    assert set(market.providers.kinds) == {"framework", "spot"}
    assert market.choice_gate == "open_market_choice"
    assert market.rate_proposals is True


def test_kent_referral_documents_and_the_flags_that_require_them(kent):
    """docs/policies.md §5.1: the always-required documents and those each flag adds."""
    check = kent.referral
    assert check.missing(set(), set()) == [
        "financial_authorisation",
        "referral_form",
        "charging_letter",
    ]
    base = {"financial_authorisation", "referral_form", "charging_letter"}
    assert check.missing(base, {"known_to_team"}) == ["bica"]
    assert check.missing(base, {"from_enablement"}) == ["final_review_form"]
    assert check.missing(base, {"risk"}) == ["risk_assessment"]
    assert check.missing(base, {"times_stipulated", "bypassed_enablement"}) == [
        "team_manager_approval"
    ]


def test_kent_cluster_two_working_hours_considering_before_start(kent):
    """docs/policies.md §5.2: 2 working hours; considering-until must be before the start date."""
    cluster = kent.stage("cluster")
    assert cluster.window == d("2 working hours")
    assert cluster.considering and cluster.considering_before_start
    assert cluster.documents_within == d("2 working hours")
    assert cluster.later_start_gate == "later_start"
    assert cluster.providers.sanctioned == "skip_unless_approved"
    assert cluster.sanction_gate == "sanction_approval"
    assert cluster.decline_notice is True


def test_kent_other_contracted_get_no_decline_notice(kent):
    """docs/policies.md §5.3: other contracted providers get no decline notice."""
    assert kent.stage("other_contracted").decline_notice is False
    assert kent.stage("other_contracted").providers.kinds == ("other_contracted",)


def test_kent_non_contracted_needs_approval_and_cqc_good_or_outstanding(kent):
    """docs/policies.md §5.4–5: a manager approves first; CQC registered, Good or Outstanding."""
    stage = kent.stage("non_contracted")
    assert stage.requires_gate == "non_contracted_approval"
    assert kent.gate("non_contracted_approval").decided_by == "manager"
    assert stage.providers.cqc_registered is True
    assert set(stage.providers.cqc_ratings) == {"Good", "Outstanding"}


def test_kent_after_acceptance_clocks(kent):
    """docs/policies.md §5: confirmation in 2 working hours, SDO and finance 2 working days each."""
    after = kent.after_acceptance
    assert after is not None
    assert after.confirmation_form_within == d("2 working hours")
    assert after.service_delivery_order_within == d("2 working days")
    assert after.financial_assessment_within == d("2 working days")


@pytest.mark.parametrize(
    ("days", "rag"), [(0, "green"), (4, "green"), (5, "amber"), (9, "amber"), (10, "red")]
)
def test_kent_rag_green_under_5_amber_from_5_red_from_10(kent, days, rag):
    """docs/policies.md §5: RAG thresholds in working days waiting."""
    assert kent.waiting_list.rag(days) == rag


def test_kent_rag_actions(kent):
    """docs/policies.md §5: amber prompts a re-assessment; red escalates to the Team Manager."""
    assert kent.waiting_list.amber_action == "consider_reassessment"
    assert kent.waiting_list.red_action == "escalate_to_team_manager"


def test_kent_reviews_handbacks_and_self_funders(kent):
    """docs/policies.md §5: reviews 4 / 2–8 weeks; handbacks 5 days' notice, 24 h call; grace 5."""
    assert (kent.reviews.known_to_team_weeks, kent.reviews.new_earliest_weeks) == (4, 2)
    assert kent.reviews.new_latest_weeks == 8
    assert kent.handbacks.multiple_notice_days == 5
    assert kent.handbacks.multiple_call_within == d("24 hours")
    assert kent.handbacks.call_time_preference_returns_to_list is False
    assert kent.self_funder_grace == d("5 working days")


def test_leics_manager_signature_required_manager_copied(leics):
    """docs/policies.md §6.1: the form needs a manager's signature, else back, manager copied."""
    assert leics.referral.missing(set(), set()) == ["manager_signature"]
    assert leics.referral.copy_manager is True


def test_leics_tender_five_working_days_two_when_urgent(leics):
    """docs/policies.md §6.3: 5 working days, 2 for urgent."""
    for name in ("framework", "off_framework"):
        tender = leics.stage(name)
        assert tender.window == d("5 working days")
        assert tender.urgent_window == d("2 working days")


def test_leics_chase_once_extending_two_working_days(leics):
    """docs/policies.md §6.3: chase outstanding requests once, +2 working days."""
    tender = leics.stage("framework")
    assert tender.chase_times == 1
    assert tender.chase_extend == d("2 working days")


def test_leics_best_price_tie_and_part_offer_gates_and_codes(leics):
    """docs/policies.md §6.3: best price; tie -> mini_competition; part -> part_offer; D1–D4."""
    tender = leics.stage("framework")
    assert tender.award == "best_price"
    assert tender.tie_gate == "mini_competition"
    assert tender.part_offer_gate == "part_offer"
    assert tender.queries_shared is True
    codes = tender.not_awarded_codes
    assert sorted(vars(codes).values()) == ["D1", "D2", "D3", "D4"]


def test_leics_filters_and_emergency_cascade(leics):
    """docs/policies.md §6.3: filter by lot, support type, area, age; emergencies by a cascade."""
    emergency = leics.stage("emergency")
    assert emergency.applies_to == "emergency"
    assert emergency.window == d("2 working hours")
    assert set(leics.stage("framework").providers.match) == {"lot", "support_type", "area", "age"}
    assert leics.stage("off_framework").providers.kinds == ("non_framework",)
    assert leics.stage("off_framework").notify_referrer_on_start is True
    assert leics.when_unfilled == "unable_to_fill"


def test_policy_accepts_a_dict_of_the_preset_shape():
    """docs/scenarios.md: a policy object of the same shape as the preset files is accepted."""
    import tomllib

    from carebroker.engine.policy import PRESETS_DIR

    table = tomllib.loads((PRESETS_DIR / "kent-oppd.toml").read_text())
    table["name"] = "kent-copy"
    table["stages"][0]["window"] = "3 working hours"
    policy = load_policy(table)
    assert policy.name == "kent-copy"
    assert policy.stage("cluster").window == d("3 working hours")


BROKEN = """
name = "broken"
area_kind = "county"
colour = "blue"
[working_time]
day_start = "9am"
day_end = "17:00"
[gates.tea_break]
decided_by = "manager"
[[stages]]
name = "one"
kind = "cascades"
[stages.providers]
kinds = ["framework"]
[[stages]]
name = "one"
kind = "tender"
window = "5 working days"
tie_gate = "mini_competition"
issue_at = "16:00"
[stages.providers]
kinds = ["spott"]
tiers = [0, "x"]
[[stages]]
name = "three"
kind = "cascade"
window = "2 wrking hours"
parallel_with = "nowhere"
[stages.providers]
kinds = ["framework"]
"""


def test_broken_policy_names_every_bad_field(tmp_path: Path):
    """A broken file is refused with one error per bad field, each with its path."""
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    errors = raised.value.errors
    expected = [
        "colour: unknown key",
        "area_kind: must be one of quadrant, cluster, framework_area (got 'county')",
        "working_time.day_start: not a time of day HH:MM: '9am'",
        "gates.tea_break: unknown gate; must be one of",
        "stages[0].kind: must be one of batch, cascade, tender, open_market (got 'cascades')",
        "stages[1].issue_at: unknown key for a tender stage",
        "stages[1].providers.kinds[0]: must be one of framework",
        "stages[1].providers.tiers[0]: must be at least 1",
        "stages[1].providers.tiers[1]: must be a whole number, not text",
        "stages[1].tie_gate: the gate 'mini_competition' is not defined under [gates]",
        "stages[2].window: not a deadline expression: '2 wrking hours'",
        "stages[1].name: duplicate stage name: 'one'",
        "stages[2].parallel_with: no other stage named 'nowhere'",
    ]
    for line in expected:
        assert any(error.startswith(line) for error in errors), line
    assert len(errors) == len(expected) + 1  # stages[0].name is a duplicate too


def test_missing_keys_are_named_per_stage_kind():
    """A stage lacking what its kind needs is told which key, and why."""
    table = {
        "name": "x",
        "area_kind": "quadrant",
        "working_time": {"day_start": "09:00", "day_end": "17:00"},
        "stages": [{"name": "b", "kind": "batch", "providers": {"kinds": ["framework"]}}],
    }
    with pytest.raises(PolicyError) as raised:
        load_policy(table)
    assert "stages[0].issue_at: missing (a batch stage needs it)" in raised.value.errors
    assert "stages[0].offer_window: missing (a batch stage needs it)" in raised.value.errors


def test_wrong_types_are_named():
    """Wrong value types are refused with the field's path and what was expected."""
    table = {
        "name": 3,
        "area_kind": "quadrant",
        "working_time": {"day_start": "09:00", "day_end": "08:00", "closures": ["2026-13-01"]},
        "stages": [{"name": "c", "kind": "cascade", "window": 2, "providers": "all"}],
    }
    with pytest.raises(PolicyError) as raised:
        load_policy(table)
    assert raised.value.errors == [
        "stages[0].providers: must be a table, not text",
        "stages[0].window: not a deadline expression: 2",
        "name: must be text, not a number",
        "working_time.day_end: must be after day_start",
        "working_time.closures[0]: not a date YYYY-MM-DD: '2026-13-01'",
    ]
