"""A council's sourcing policy as data (docs/policies.md §3–6): typed values from TOML or a dict.

`load_policy` accepts a preset name (`PRESETS`), a path to a TOML file, TOML text, or a dict
of the same shape (a scenario's `policy` object). Every bad field is reported at once, by its
path, in a `PolicyError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from carebroker.engine.workingtime import Deadline

PRESETS_DIR = Path(__file__).parent / "presets"
PRESETS: tuple[str, ...] = ("essex-lah", "kent-oppd", "leics-short-breaks")

STAGE_KINDS = ("batch", "cascade", "tender", "open_market")
APPLIES_TO = ("all", "urgent", "emergency", "change_to_existing")
# docs/policies.md §3: the gates a package `on_hold` may name.
GATE_NAMES = (
    "non_contracted_approval",
    "sanction_approval",
    "later_start",
    "mini_competition",
    "part_offer",
    "unable_to_fill",
    "open_market_choice",
)
# The award rules each stage kind may use (docs/policies.md §3).
AWARD_RULES: dict[str, tuple[str, ...]] = {
    "batch": ("highest_rank",),
    "cascade": ("first_accept",),
    "tender": ("best_price", "highest_rank", "weighted"),
    "open_market": ("council_choice",),
}
PROVIDER_KINDS = (
    "framework",
    "spot",
    "clustered",
    "other_contracted",
    "non_contracted",
    "non_framework",
)
MATCH_FIELDS = ("area", "lot", "support_type", "age", "current_provider")
ORDERS = ("rank", "tier_then_rank")
SANCTIONED = ("skip", "skip_unless_approved", "include")
CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
DOCUMENTS = (
    "financial_authorisation",
    "referral_form",
    "charging_letter",
    "bica",
    "final_review_form",
    "risk_assessment",
    "team_manager_approval",
    "manager_signature",
)
DOCUMENT_FLAGS = (
    "known_to_team",
    "from_enablement",
    "risk",
    "times_stipulated",
    "bypassed_enablement",
)
SELF_FUNDER = "self_funder"  # docs/policies.md §5 Self-funders leaving enablement
PACKAGE_FLAGS = (*DOCUMENT_FLAGS, SELF_FUNDER)
"""The referral's flags the engine reads: those that require documents, and the self-funder's
grace before purchasing."""
URGENT_FLAGS = ("urgent", "hospital_discharge", "emergency")
AREA_KINDS = ("quadrant", "cluster", "framework_area")
ACTORS = ("manager", "referrer", "broker")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AWARD_RATES = ("framework", "provider", "offer")
REPORT_FLAGS = ("enhanced_rate", "target_supply_area")
WHEN_UNFILLED = ("unfilled", "unable_to_fill")
# docs/policies.md §8: whether declared capacity changes who is asked, and in what order.
CAPACITY_OPTIONS = ("ignore", "skip_declared_full", "ask_declared_first")
NOT_AWARDED_REASONS = (
    "higher_price",
    "part_offer_only",
    "lost_mini_competition",
    "filled_elsewhere",
)


class PolicyError(ValueError):
    """A policy that does not validate; `errors` names every bad field by its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class WorkingTime:
    """Working hours and closure days (docs/policies.md §1)."""

    day_start: time
    day_end: time
    closures: tuple[date, ...]


@dataclass(frozen=True)
class UrgentRule:
    """When a package is urgent (docs/policies.md §4.1); `within_working_days` None: flags only."""

    within_working_days: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ReferralCheck:
    """Documents a referral must carry (docs/policies.md §5.1, §6.1)."""

    required: tuple[str, ...]
    required_when: tuple[tuple[str, tuple[str, ...]], ...]
    on_missing: str
    copy_manager: bool
    message: str

    def missing(self, documents: set[str], flags: set[str]) -> list[str]:
        """The required documents not in `documents`, in policy order, each named once."""
        needed = list(self.required)
        for flag, names in self.required_when:
            if flag in flags:
                needed.extend(names)
        return list(dict.fromkeys(name for name in needed if name not in documents))


@dataclass(frozen=True)
class GateRule:
    """Who decides at a gate (docs/policies.md §2)."""

    name: str
    decided_by: str


@dataclass(frozen=True)
class ProviderSelection:
    """Which providers a stage approaches, and in what order."""

    kinds: tuple[str, ...]
    tiers: tuple[int, ...]
    match: tuple[str, ...]
    order: str
    sanctioned: str
    cqc_registered: bool
    cqc_ratings: tuple[str, ...]


@dataclass(frozen=True)
class AssessmentRule:
    """Essex batch assessments (docs/policies.md §4.2)."""

    only_highest_ranked: bool
    window: Deadline
    hospital_discharge_window: Deadline
    hospital_discharge_late_after: time
    hospital_discharge_late_by: time


@dataclass(frozen=True)
class Weights:
    """The weighted award's weights (docs/policies.md §9): non-negative, summing above 0."""

    price: Decimal
    cqc: Decimal
    delivery: Decimal


@dataclass(frozen=True)
class NotAwardedCodes:
    """Codes told to providers not chosen (docs/policies.md §6.3: D1–D4)."""

    higher_price: str
    part_offer_only: str
    lost_mini_competition: str
    filled_elsewhere: str


@dataclass(frozen=True)
class Stage:
    """One way of approaching providers (docs/policies.md §3); kind-specific fields may be None."""

    name: str
    kind: str
    applies_to: str
    providers: ProviderSelection
    award: str
    window: Deadline | None = None
    parallel_with: str | None = None
    requires_gate: str | None = None
    notify_referrer_on_start: bool = False
    # batch
    issue_at: time | None = None
    interest_deadline: Deadline | None = None
    offer_window: Deadline | None = None
    rounds: int = 1
    late_interest: bool = False
    exclude_change_to_existing: bool = False
    not_chosen_notice: bool = False
    assessment: AssessmentRule | None = None
    # cascade
    considering: bool = False
    considering_before_start: bool = False
    documents_within: Deadline | None = None
    later_start_gate: str | None = None
    sanction_gate: str | None = None
    decline_notice: bool = False
    # tender
    urgent_window: Deadline | None = None
    tie_gate: str | None = None
    part_offer_gate: str | None = None
    queries_shared: bool = False
    chase_times: int = 0
    chase_extend: Deadline | None = None
    not_awarded_codes: NotAwardedCodes | None = None
    weights: Weights | None = None  # award = "weighted" only
    # open market
    weekdays: tuple[int, ...] = ()
    rate_proposals: bool = False
    choice_gate: str | None = None


@dataclass(frozen=True)
class AfterAcceptance:
    """Kent's clocks after an acceptance (docs/policies.md §5)."""

    confirmation_form_within: Deadline
    service_delivery_order_within: Deadline
    financial_assessment_within: Deadline


@dataclass(frozen=True)
class WaitingList:
    """RAG of waiting packages in working days from referral accepted (docs/policies.md §5)."""

    amber_from_days: int
    amber_action: str
    red_from_days: int
    red_action: str

    def rag(self, working_days_waiting: int) -> str:
        if working_days_waiting >= self.red_from_days:
            return "red"
        if working_days_waiting >= self.amber_from_days:
            return "amber"
        return "green"


@dataclass(frozen=True)
class Reviews:
    """Review dates from the start date (docs/policies.md §5)."""

    known_to_team_weeks: int
    new_earliest_weeks: int
    new_latest_weeks: int


@dataclass(frozen=True)
class Handbacks:
    """Handback rules (docs/policies.md §5)."""

    individual_escalate_to: str
    individual_returns_to_list: bool
    call_time_preference_returns_to_list: bool
    multiple_notice_days: int
    multiple_call_within: Deadline


@dataclass(frozen=True)
class Policy:
    """A council's whole sourcing policy."""

    name: str
    title: str
    area_kind: str
    areas: tuple[str, ...]
    anonymise_provider_view: bool
    award_rate: str
    report_flags: tuple[str, ...]
    when_unfilled: str
    working_time: WorkingTime
    urgent: UrgentRule
    referral: ReferralCheck
    gates: tuple[GateRule, ...]
    stages: tuple[Stage, ...]
    after_acceptance: AfterAcceptance | None = None
    waiting_list: WaitingList | None = None
    reviews: Reviews | None = None
    handbacks: Handbacks | None = None
    self_funder_grace: Deadline | None = None
    ehm_csv_every_weeks: int | None = None
    record_days_referral_to_award: bool = False
    full_record_in: str | None = None
    # docs/policies.md §4 After the award (Essex): a commencement letter goes to the winner
    # with the award notice (placements/paperwork.py).
    commencement_letter: bool = False
    capacity: str = "ignore"
    # docs/policies.md §6.2: a broker confirms the provider view before the first request
    # goes out (issue 12 finding 11); the package is held until then.
    review_provider_view: bool = True

    def stage(self, name: str) -> Stage:
        found = self._stage_named.get(name)
        if found is None:
            raise KeyError(name)
        return found

    @cached_property
    def _stage_named(self) -> dict[str, Stage]:
        """Each stage by its name, the first of a name as the old scan found it: the engine
        asks for a stage by name several times a step (not a field: not in eq or repr)."""
        named: dict[str, Stage] = {}
        for stage in self.stages:
            named.setdefault(stage.name, stage)
        return named

    def gate(self, name: str) -> GateRule | None:
        return next((gate for gate in self.gates if gate.name == name), None)
