"""Reading a policy: `load_policy` (a preset name, a TOML file or text, a dict) and the
validation of a policy table (parsed TOML or a scenario's dict) into a `Policy`.

Every bad field is collected with its path (`stages[2].window: not a deadline expression:
'2 wrking hours'`) and raised together in one `PolicyError`; nothing stops at the first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import cast

from carebroker.engine.field_reader import (
    INVALID,
    BadValue,
    FieldReader,
    Table,
    as_any_text,
    as_clock,
    as_count,
    as_day,
    as_deadline,
    as_flag,
    as_positive,
    as_text,
    kind_of,
    one_of,
)
from carebroker.engine.policy import (
    ACTORS,
    APPLIES_TO,
    AREA_KINDS,
    AWARD_RATES,
    AWARD_RULES,
    CAPACITY_OPTIONS,
    CQC_RATINGS,
    DOCUMENT_FLAGS,
    DOCUMENTS,
    GATE_NAMES,
    MATCH_FIELDS,
    NOT_AWARDED_REASONS,
    ORDERS,
    PRESETS,
    PRESETS_DIR,
    PROVIDER_KINDS,
    REPORT_FLAGS,
    SANCTIONED,
    STAGE_KINDS,
    URGENT_FLAGS,
    WEEKDAYS,
    WHEN_UNFILLED,
    AfterAcceptance,
    AssessmentRule,
    GateRule,
    Handbacks,
    NotAwardedCodes,
    Policy,
    PolicyError,
    ProviderSelection,
    ReferralCheck,
    Reviews,
    Stage,
    UrgentRule,
    WaitingList,
    Weights,
    WorkingTime,
)
from carebroker.engine.workingtime import Deadline


def _gate(value: object) -> str:
    return one_of(GATE_NAMES)(value)


_TOP_KEYS = {
    "name",
    "title",
    "area_kind",
    "areas",
    "anonymise_provider_view",
    "review_provider_view",
    "award_rate",
    "report_flags",
    "when_unfilled",
    "working_time",
    "urgent",
    "referral",
    "gates",
    "stages",
    "after_acceptance",
    "waiting_list",
    "reviews",
    "handbacks",
    "self_funders",
    "monitoring",
    "filled",
    "capacity",
}
_STAGE_COMMON = {
    "name",
    "kind",
    "applies_to",
    "parallel_with",
    "requires_gate",
    "award",
    "providers",
    "notify_referrer_on_start",
}
# Keys each stage kind understands beyond the common ones; anything else is a mistake.
_STAGE_KEYS: dict[str, set[str]] = {
    "batch": {
        "issue_at",
        "interest_deadline",
        "offer_window",
        "rounds",
        "late_interest",
        "exclude_change_to_existing",
        "not_chosen_notice",
        "assessment",
    },
    "cascade": {
        "window",
        "considering",
        "considering_before_start",
        "documents_within",
        "later_start_gate",
        "sanction_gate",
        "decline_notice",
    },
    "tender": {
        "window",
        "urgent_window",
        "tie_gate",
        "part_offer_gate",
        "queries_shared",
        "chase_times",
        "chase_extend",
        "not_awarded_codes",
        "sanction_gate",
        "weights",
    },
    "open_market": {"weekdays", "issue_at", "rate_proposals", "choice_gate"},
}
_STAGE_REQUIRED: dict[str, tuple[str, ...]] = {
    "batch": ("issue_at", "interest_deadline", "offer_window"),
    "cascade": ("window",),
    "tender": ("window",),
    "open_market": ("weekdays", "issue_at", "choice_gate"),
}


def read_policy(source: Table) -> Policy:
    """Validate `source` (a parsed TOML document or a dict of the same shape) into a Policy."""
    reader = FieldReader()
    if not isinstance(source, Mapping):
        raise PolicyError([f"policy: must be a table, not {kind_of(source)}"])
    reader.known(source, _TOP_KEYS, "")
    gates = _read_gates(reader, source)
    stages = _read_stages(reader, source, {gate.name for gate in gates})
    waiting = reader.table(source, "waiting_list", "", required=False)
    reviews = reader.table(source, "reviews", "", required=False)
    handbacks = reader.table(source, "handbacks", "", required=False)
    after = reader.table(source, "after_acceptance", "", required=False)
    self_funders = reader.table(source, "self_funders", "", required=False)
    monitoring = reader.table(source, "monitoring", "", required=False)
    filled = reader.table(source, "filled", "", required=False)
    filled_rule = _read_filled(reader, filled) if filled is not None else (False, None, False)
    policy = Policy(
        name=reader.req(source, "name", "", as_text),
        title=reader.opt(source, "title", "", as_text, ""),
        area_kind=reader.req(source, "area_kind", "", one_of(AREA_KINDS)),
        areas=reader.items(source, "areas", "", as_text),
        anonymise_provider_view=reader.opt(source, "anonymise_provider_view", "", as_flag, True),
        award_rate=reader.opt(source, "award_rate", "", one_of(AWARD_RATES), "framework"),
        report_flags=reader.items(source, "report_flags", "", one_of(REPORT_FLAGS)),
        when_unfilled=reader.opt(source, "when_unfilled", "", one_of(WHEN_UNFILLED), "unfilled"),
        working_time=_read_working_time(reader, source),
        urgent=_read_urgent(reader, source),
        referral=_read_referral(reader, source),
        gates=gates,
        stages=stages,
        after_acceptance=_read_after_acceptance(reader, after) if after is not None else None,
        waiting_list=_read_waiting_list(reader, waiting) if waiting is not None else None,
        reviews=_read_reviews(reader, reviews) if reviews is not None else None,
        handbacks=_read_handbacks(reader, handbacks) if handbacks is not None else None,
        self_funder_grace=_read_self_funders(reader, self_funders) if self_funders else None,
        ehm_csv_every_weeks=_read_monitoring(reader, monitoring) if monitoring else None,
        record_days_referral_to_award=filled_rule[0],
        full_record_in=filled_rule[1],
        commencement_letter=filled_rule[2],
        capacity=reader.opt(source, "capacity", "", one_of(CAPACITY_OPTIONS), "ignore"),
        review_provider_view=reader.opt(source, "review_provider_view", "", as_flag, True),
    )
    if policy.when_unfilled == "unable_to_fill" and "unable_to_fill" not in {
        gate.name for gate in gates
    }:
        reader.error("when_unfilled", "the gate unable_to_fill is not defined under [gates]")
    if reader.errors:
        raise PolicyError(list(dict.fromkeys(reader.errors)))
    return policy


def _read_working_time(reader: FieldReader, source: Table) -> WorkingTime:
    table = reader.table(source, "working_time", "")
    if table is None:
        return cast(WorkingTime, INVALID)
    reader.known(table, {"day_start", "day_end", "closures"}, "working_time")
    start = reader.req(table, "day_start", "working_time", as_clock)
    end = reader.req(table, "day_end", "working_time", as_clock)
    if isinstance(start, time) and isinstance(end, time) and end <= start:
        reader.error("working_time.day_end", "must be after day_start")
    closures = reader.items(table, "closures", "working_time", as_day)
    return WorkingTime(day_start=start, day_end=end, closures=closures)


def _read_urgent(reader: FieldReader, source: Table) -> UrgentRule:
    table = reader.table(source, "urgent", "", required=False) or {}
    reader.known(table, {"within_working_days", "flags"}, "urgent")
    return UrgentRule(
        within_working_days=reader.opt(table, "within_working_days", "urgent", as_count, None),
        flags=reader.items(table, "flags", "urgent", one_of(URGENT_FLAGS)),
    )


def _read_referral(reader: FieldReader, source: Table) -> ReferralCheck:
    table = reader.table(source, "referral", "", required=False) or {}
    path = "referral"
    reader.known(
        table, {"required", "required_when", "on_missing", "copy_manager", "message"}, path
    )
    when = reader.table(table, "required_when", path, required=False) or {}
    required_when: list[tuple[str, tuple[str, ...]]] = []
    for flag in when:
        if flag not in DOCUMENT_FLAGS:
            reader.error(
                f"{path}.required_when.{flag}",
                f"unknown package flag; must be one of {', '.join(DOCUMENT_FLAGS)}",
            )
            continue
        docs = reader.items(when, flag, f"{path}.required_when", one_of(DOCUMENTS))
        required_when.append((flag, docs))
    return ReferralCheck(
        required=reader.items(table, "required", path, one_of(DOCUMENTS)),
        required_when=tuple(required_when),
        on_missing=reader.opt(table, "on_missing", path, one_of(("return_to_referrer",)), ""),
        copy_manager=reader.opt(table, "copy_manager", path, as_flag, False),
        message=reader.opt(table, "message", path, as_any_text, ""),
    )


def _read_gates(reader: FieldReader, source: Table) -> tuple[GateRule, ...]:
    table = reader.table(source, "gates", "", required=False) or {}
    gates: list[GateRule] = []
    for name, body in table.items():
        where = f"gates.{name}"
        if name not in GATE_NAMES:
            reader.error(where, f"unknown gate; must be one of {', '.join(GATE_NAMES)}")
            continue
        if not isinstance(body, Mapping):
            reader.error(where, f"must be a table, not {kind_of(body)}")
            continue
        reader.known(body, {"decided_by"}, where)
        gates.append(GateRule(name, reader.req(body, "decided_by", where, one_of(ACTORS))))
    return tuple(gates)


def _read_stages(reader: FieldReader, source: Table, gates: set[str]) -> tuple[Stage, ...]:
    if "stages" not in source:
        reader.error("stages", "missing")
        return ()
    raw = source["stages"]
    if not isinstance(raw, list) or not raw:
        reader.error("stages", "must be a non-empty list of stage tables ([[stages]])")
        return ()
    stages: list[Stage] = []
    for index, body in enumerate(raw):
        where = f"stages[{index}]"
        if not isinstance(body, Mapping):
            reader.error(where, f"must be a table, not {kind_of(body)}")
            continue
        stages.append(_read_stage(reader, cast(Table, body), where, gates))
    names = [stage.name for stage in stages if isinstance(stage.name, str)]
    for index, stage in enumerate(stages):
        if isinstance(stage.name, str) and names.count(stage.name) > 1:
            reader.error(f"stages[{index}].name", f"duplicate stage name: {stage.name!r}")
        other = stage.parallel_with
        if isinstance(other, str) and (other not in names or other == stage.name):
            reader.error(f"stages[{index}].parallel_with", f"no other stage named {other!r}")
    return tuple(stages)


def _read_stage(reader: FieldReader, body: Table, where: str, gates: set[str]) -> Stage:
    kind = reader.req(body, "kind", where, one_of(STAGE_KINDS))
    known_kind = isinstance(kind, str) and kind in _STAGE_KEYS
    if known_kind:
        reader.known(body, _STAGE_COMMON | _STAGE_KEYS[kind], where, f" for a {kind} stage")
        for key in _STAGE_REQUIRED[kind]:
            if key not in body:
                reader.error(f"{where}.{key}", f"missing (a {kind} stage needs it)")
    award_rules = (
        AWARD_RULES[kind] if known_kind else tuple(sorted({*sum(AWARD_RULES.values(), ())}))
    )
    default_award = award_rules[0] if known_kind else ""

    def gate_ref(key: str) -> str | None:
        name = reader.opt(body, key, where, _gate, None)
        if isinstance(name, str) and name in GATE_NAMES and name not in gates:
            reader.error(f"{where}.{key}", f"the gate {name!r} is not defined under [gates]")
        return name

    codes = reader.table(body, "not_awarded_codes", where, required=False)
    assessment = reader.table(body, "assessment", where, required=False)
    award = reader.opt(body, "award", where, one_of(award_rules), default_award)
    weights = _read_weights(reader, body, where, award)
    providers = reader.table(body, "providers", where)
    return Stage(
        name=reader.req(body, "name", where, as_text),
        kind=kind,
        applies_to=reader.opt(body, "applies_to", where, one_of(APPLIES_TO), "all"),
        providers=_read_providers(reader, providers, f"{where}.providers")
        if providers is not None
        else cast(ProviderSelection, INVALID),
        award=award,
        weights=weights,
        window=reader.opt(body, "window", where, as_deadline, None),
        parallel_with=reader.opt(body, "parallel_with", where, as_text, None),
        requires_gate=gate_ref("requires_gate"),
        notify_referrer_on_start=reader.opt(
            body, "notify_referrer_on_start", where, as_flag, False
        ),
        issue_at=reader.opt(body, "issue_at", where, as_clock, None),
        interest_deadline=reader.opt(body, "interest_deadline", where, as_deadline, None),
        offer_window=reader.opt(body, "offer_window", where, as_deadline, None),
        rounds=reader.opt(body, "rounds", where, as_positive, 1),
        late_interest=reader.opt(body, "late_interest", where, as_flag, False),
        exclude_change_to_existing=reader.opt(
            body, "exclude_change_to_existing", where, as_flag, False
        ),
        not_chosen_notice=reader.opt(body, "not_chosen_notice", where, as_flag, False),
        assessment=_read_assessment(reader, assessment, f"{where}.assessment")
        if assessment is not None
        else None,
        considering=reader.opt(body, "considering", where, as_flag, False),
        considering_before_start=reader.opt(
            body, "considering_before_start", where, as_flag, False
        ),
        documents_within=reader.opt(body, "documents_within", where, as_deadline, None),
        later_start_gate=gate_ref("later_start_gate"),
        sanction_gate=gate_ref("sanction_gate"),
        decline_notice=reader.opt(body, "decline_notice", where, as_flag, False),
        urgent_window=reader.opt(body, "urgent_window", where, as_deadline, None),
        tie_gate=gate_ref("tie_gate"),
        part_offer_gate=gate_ref("part_offer_gate"),
        queries_shared=reader.opt(body, "queries_shared", where, as_flag, False),
        chase_times=reader.opt(body, "chase_times", where, as_count, 0),
        chase_extend=reader.opt(body, "chase_extend", where, as_deadline, None),
        not_awarded_codes=_read_codes(reader, codes, f"{where}.not_awarded_codes")
        if codes is not None
        else None,
        weekdays=tuple(
            WEEKDAYS.index(day)
            for day in reader.items(body, "weekdays", where, one_of(WEEKDAYS))
            if day in WEEKDAYS
        ),
        rate_proposals=reader.opt(body, "rate_proposals", where, as_flag, False),
        choice_gate=gate_ref("choice_gate"),
    )


def _read_providers(reader: FieldReader, table: Table, where: str) -> ProviderSelection:
    keys = {"kinds", "tiers", "match", "order", "sanctioned", "cqc_registered", "cqc_ratings"}
    reader.known(table, keys, where)
    return ProviderSelection(
        kinds=reader.items(table, "kinds", where, one_of(PROVIDER_KINDS), required=True),
        tiers=reader.items(table, "tiers", where, as_positive),
        match=reader.items(table, "match", where, one_of(MATCH_FIELDS)),
        order=reader.opt(table, "order", where, one_of(ORDERS), "rank"),
        sanctioned=reader.opt(table, "sanctioned", where, one_of(SANCTIONED), "skip"),
        cqc_registered=reader.opt(table, "cqc_registered", where, as_flag, False),
        cqc_ratings=reader.items(table, "cqc_ratings", where, one_of(CQC_RATINGS)),
    )


def _read_assessment(reader: FieldReader, table: Table, where: str) -> AssessmentRule:
    keys = {
        "only_highest_ranked",
        "window",
        "hospital_discharge_window",
        "hospital_discharge_late_after",
        "hospital_discharge_late_by",
    }
    reader.known(table, keys, where)
    return AssessmentRule(
        only_highest_ranked=reader.opt(table, "only_highest_ranked", where, as_flag, True),
        window=reader.req(table, "window", where, as_deadline),
        hospital_discharge_window=reader.req(
            table, "hospital_discharge_window", where, as_deadline
        ),
        hospital_discharge_late_after=reader.req(
            table, "hospital_discharge_late_after", where, as_clock
        ),
        hospital_discharge_late_by=reader.req(table, "hospital_discharge_late_by", where, as_clock),
    )


def _read_weights(reader: FieldReader, body: Table, where: str, award: object) -> Weights | None:
    """docs/policies.md §9: `weights = {price, cqc, delivery}`, only with award = "weighted";
    each a number of 0 or more (left out: 0), and they must not all be 0."""
    table = reader.table(body, "weights", where, required=False)
    path = f"{where}.weights"
    if award != "weighted":
        if table is not None:
            reader.error(path, 'only with award = "weighted"')
        return None
    if table is None:
        reader.error(path, 'missing (award = "weighted" needs weights for price, cqc, delivery)')
        return None
    reader.known(table, {"price", "cqc", "delivery"}, path)
    price, cqc, delivery = (
        reader.opt(table, key, path, _weight, Decimal(0)) for key in ("price", "cqc", "delivery")
    )
    found = [w for w in (price, cqc, delivery) if isinstance(w, Decimal)]
    if len(found) == 3 and sum(found) <= 0:
        reader.error(path, "the weights must add up to more than 0")
    return Weights(price, cqc, delivery)


def _weight(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(f"must be a number, not {kind_of(value)}")
    if value < 0:
        raise BadValue(f"must not be negative: {value}")
    return Decimal(str(value))


def _read_codes(reader: FieldReader, table: Table, where: str) -> NotAwardedCodes:
    reader.known(table, set(NOT_AWARDED_REASONS), where)
    return NotAwardedCodes(*(reader.req(table, key, where, as_text) for key in NOT_AWARDED_REASONS))


def _read_after_acceptance(reader: FieldReader, table: Table) -> AfterAcceptance:
    where = "after_acceptance"
    keys = ("confirmation_form_within", "service_delivery_order_within")
    reader.known(table, {*keys, "financial_assessment_within"}, where)
    return AfterAcceptance(
        confirmation_form_within=reader.req(table, keys[0], where, as_deadline),
        service_delivery_order_within=reader.req(table, keys[1], where, as_deadline),
        financial_assessment_within=reader.req(
            table, "financial_assessment_within", where, as_deadline
        ),
    )


def _read_waiting_list(reader: FieldReader, table: Table) -> WaitingList:
    where = "waiting_list"
    actions = ("consider_reassessment", "escalate_to_team_manager")
    reader.known(table, {"amber_from_days", "amber_action", "red_from_days", "red_action"}, where)
    waiting = WaitingList(
        amber_from_days=reader.req(table, "amber_from_days", where, as_positive),
        amber_action=reader.req(table, "amber_action", where, one_of(actions)),
        red_from_days=reader.req(table, "red_from_days", where, as_positive),
        red_action=reader.req(table, "red_action", where, one_of(actions)),
    )
    amber, red = waiting.amber_from_days, waiting.red_from_days
    if isinstance(amber, int) and isinstance(red, int) and red <= amber:
        reader.error(f"{where}.red_from_days", "must be more than amber_from_days")
    return waiting


def _read_reviews(reader: FieldReader, table: Table) -> Reviews:
    where = "reviews"
    keys = ("known_to_team_weeks", "new_earliest_weeks", "new_latest_weeks")
    reader.known(table, set(keys), where)
    reviews = Reviews(*(reader.req(table, key, where, as_positive) for key in keys))
    earliest, latest = reviews.new_earliest_weeks, reviews.new_latest_weeks
    if isinstance(earliest, int) and isinstance(latest, int) and latest < earliest:
        reader.error(f"{where}.new_latest_weeks", "must not be before new_earliest_weeks")
    return reviews


def _read_handbacks(reader: FieldReader, table: Table) -> Handbacks:
    where = "handbacks"
    keys = {
        "individual_escalate_to",
        "individual_returns_to_list",
        "call_time_preference_returns_to_list",
        "multiple_notice_days",
        "multiple_call_within",
    }
    reader.known(table, keys, where)
    return Handbacks(
        individual_escalate_to=reader.req(table, "individual_escalate_to", where, one_of(ACTORS)),
        individual_returns_to_list=reader.req(table, "individual_returns_to_list", where, as_flag),
        call_time_preference_returns_to_list=reader.req(
            table, "call_time_preference_returns_to_list", where, as_flag
        ),
        multiple_notice_days=reader.req(table, "multiple_notice_days", where, as_count),
        multiple_call_within=reader.req(table, "multiple_call_within", where, as_deadline),
    )


def _read_self_funders(reader: FieldReader, table: Table) -> Deadline:
    reader.known(table, {"grace"}, "self_funders")
    return reader.req(table, "grace", "self_funders", as_deadline)


def _read_monitoring(reader: FieldReader, table: Table) -> int:
    reader.known(table, {"ehm_csv_every_weeks"}, "monitoring")
    return reader.req(table, "ehm_csv_every_weeks", "monitoring", as_positive)


def _read_filled(reader: FieldReader, table: Table) -> tuple[bool, str | None, bool]:
    keys = {"record_days_referral_to_award", "full_record_in", "commencement_letter"}
    reader.known(table, keys, "filled")
    return (
        reader.opt(table, "record_days_referral_to_award", "filled", as_flag, False),
        reader.opt(table, "full_record_in", "filled", as_text, None),
        reader.opt(table, "commencement_letter", "filled", as_flag, False),
    )


def load_policy(source: str | Path | Mapping[str, object]) -> Policy:
    """A policy from a preset name, a TOML path, TOML text or a dict; PolicyError if invalid."""
    if isinstance(source, Mapping):
        return read_policy(source)
    if isinstance(source, str) and source in PRESETS:
        source = PRESETS_DIR / f"{source}.toml"
    if isinstance(source, Path) or (
        "\n" not in source and source.endswith(".toml") and "=" not in source
    ):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError([f"{path}: cannot read: {exc.strerror}"]) from exc
    else:
        text = source
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([f"not valid TOML: {exc}"]) from exc
    return read_policy(table)
