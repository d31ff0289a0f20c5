"""The words of sourcing, each defined once: package statuses, timeline event types, provider
answers, council decisions, effect kinds and notice kinds.

Every member is a `StrEnum`, so it equals its stored text ("on_hold" == PackageStatus.ON_HOLD)
and timelines, snapshots and scenario files keep their plain strings. The Django models build
their `choices` from these enums (`sourcing.models.PackageStatus`, `outbox.models.NoticeKind`),
and `label` is what people read ("Waiting for a decision"), never the code.
"""

from __future__ import annotations

from enum import StrEnum


class PackageStatus(StrEnum):
    """Where a package stands (docs/scenarios.md § Output `status`).

    `ON_HOLD` is the engine's own pause: a gate waits for a manager's decision (docs/policies.md
    §5.2, §5.4, §6.3). `HELD` is a broker's pause by hand, with a reason, until released.
    """

    NEW = "new"  # not referred yet (engine only; never stored on a package row)
    SOURCING = "sourcing"
    ON_HOLD = "on_hold"
    HELD = "held"
    AWARDED = "awarded"
    UNFILLED = "unfilled"
    RETURNED = "returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    PackageStatus.NEW: "New",
    PackageStatus.SOURCING: "Being sourced",
    PackageStatus.ON_HOLD: "Waiting for a decision",
    PackageStatus.HELD: "Held",
    PackageStatus.AWARDED: "Awarded",
    PackageStatus.UNFILLED: "Unfilled",
    PackageStatus.RETURNED: "Returned",
    PackageStatus.CLOSED: "Closed",
    PackageStatus.CANCELLED: "Cancelled",
}

LIVE: frozenset[PackageStatus] = frozenset(
    {PackageStatus.SOURCING, PackageStatus.ON_HOLD, PackageStatus.HELD}
)
"""A package still being sourced: at a stage, waiting at a gate, or held by a broker."""

RUNNING: frozenset[PackageStatus] = frozenset({PackageStatus.SOURCING, PackageStatus.ON_HOLD})
"""A live package whose clocks run and which takes answers and decisions: not held."""

STORED_STATUSES: tuple[PackageStatus, ...] = tuple(
    s for s in PackageStatus if s is not PackageStatus.NEW
)
"""The statuses a package row can have (a row exists only once the referral is in)."""


class AnswerAction(StrEnum):
    """What a provider answers (docs/scenarios.md `events[]` with `provider`)."""

    INTEREST = "interest"
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    CONSIDERING = "considering"
    QUERY = "query"
    ASSESSMENT = "assessment"
    ASSESSMENT_DONE = "assessment_done"
    CONFIRM = "confirm"
    HANDBACK = "handback"
    HANDBACK_NOTICE = "handback_notice"  # one of several handed back with notice (§5)
    WITHDRAW = "withdraw"  # a tender offer taken back before the deadline (§6.3)


class DecisionAction(StrEnum):
    """What the council decides (docs/scenarios.md `events[]` with `actor`)."""

    APPROVE = "approve"
    DECIDE = "decide"
    NEXT_PROVIDER = "next_provider"
    CANCEL = "cancel"
    # what brokers and managers do by hand (engine/by_hand.py, docs/policies.md §7)
    AWARD = "award"
    HOLD = "hold"
    RELEASE = "release"
    # the placement after the award (engine/placement.py, docs/policies.md §5)
    START = "start"
    REVIEW = "review"
    END = "end"
    REVIEW_OUTCOME = "review_outcome"  # a review's outcome (engine/reviews.py, §5 Reviews)


class EffectKind(StrEnum):
    """What the engine asks the shell to carry out (`state.Effect.kind`)."""

    SEND_REQUEST = "send_request"
    SEND_NOTICE = "send_notice"
    RAISE_GATE = "raise_gate"
    AWARD = "award"
    WITHDRAW = "withdraw"
    RETURN_REFERRAL = "return_referral"


class NoticeKind(StrEnum):
    """Every email notice (docs/policies.md §4-6); one outbox template each, named `<kind>.txt`.

    A `send_notice` effect names its notice by one of these (`details["notice"]`), so the
    shell needs no table from engine names to notice kinds.
    """

    BATCH_REPORT = "batch_report"  # §4.2
    REQUEST_SENT = "request_sent"  # §3
    ISP_SENT = "isp_sent"  # §4.2 offer round
    CHASE = "chase"  # §6.3 outstanding at the deadline
    QUERY_ANSWER = "query_answer"  # §6.3 to every provider approached
    NOT_CHOSEN = "not_chosen"  # §4.2, §6.3 (codes D1-D4)
    AWARD = "award"
    REQUEST_WITHDRAWN = "request_withdrawn"  # §4.1 the other track won
    DECLINE_ACKNOWLEDGEMENT = "decline_acknowledgement"  # §5.2
    REFERRAL_RETURNED = "referral_returned"  # §5.1, §6.1
    APPROVAL_NEEDED = "approval_needed"  # §5.2, §5.4 gates
    HOLD_PART_OFFER = "hold_part_offer"  # §6.3
    HOLD_UNABLE_TO_FILL = "hold_unable_to_fill"  # §6.5
    OFF_FRAMEWORK_NOTICE = "off_framework_notice"  # §6.4
    FILLED = "filled"  # §6 "Filled: the worker is told"
    OPEN_MARKET_LIST = "open_market_list"  # §4.4
    ESCALATION = "escalation"  # §5 waiting list amber/red
    HANDBACK = "handback"  # §5 handbacks
    STEP_OVERDUE = "step_overdue"  # §5 after acceptance: a clock ran out (shell only)
    REPORT = "report"  # scheduled reports (reports/schedule.py): sent by the shell only
    CAPACITY_REMINDER = "capacity_reminder"  # §8 a stale declaration: sent by the shell only
    IPA_COUNTERSIGNED = "ipa_countersigned"  # §6 Filled: the countersigned IPA back (shell)
    SERVICE_DELIVERY_ORDER = "service_delivery_order"  # §5 After acceptance: the SDO (shell)
    # Referrers kept informed (issue 11), in every preset; FILLED and HANDBACK go to the
    # referrer too.
    NOT_PLACED = "not_placed"  # every stage ended without an award
    START_AGREED = "start_agreed"  # the start date agreed with the provider
    REVIEW_OUTCOME = "review_outcome"  # §5 Reviews: what the review decided

    @property
    def label(self) -> str:
        return _NOTICE_LABELS[self]


_NOTICE_LABELS = {
    NoticeKind.BATCH_REPORT: "Daily batch report",
    NoticeKind.REQUEST_SENT: "Request with its deadline",
    NoticeKind.ISP_SENT: "ISP sent",
    NoticeKind.CHASE: "Reminder (chase)",
    NoticeKind.QUERY_ANSWER: "Answer to a query",
    NoticeKind.NOT_CHOSEN: "Not chosen",
    NoticeKind.AWARD: "Award",
    NoticeKind.REQUEST_WITHDRAWN: "Request withdrawn",
    NoticeKind.DECLINE_ACKNOWLEDGEMENT: "Decline acknowledgement",
    NoticeKind.REFERRAL_RETURNED: "Referral returned",
    NoticeKind.APPROVAL_NEEDED: "Decision needed from a manager",
    NoticeKind.HOLD_PART_OFFER: "Waiting for a decision: part offers only",
    NoticeKind.HOLD_UNABLE_TO_FILL: "Waiting for a decision: unable to fill",
    NoticeKind.OFF_FRAMEWORK_NOTICE: "Going off framework",
    NoticeKind.FILLED: "Package filled",
    NoticeKind.OPEN_MARKET_LIST: "Available packages list",
    NoticeKind.ESCALATION: "Waiting-list escalation",
    NoticeKind.HANDBACK: "Handback",
    NoticeKind.STEP_OVERDUE: "Step overdue after the award",
    NoticeKind.REPORT: "Scheduled report",
    NoticeKind.CAPACITY_REMINDER: "Capacity declaration out of date",
    NoticeKind.IPA_COUNTERSIGNED: "Countersigned IPA",
    NoticeKind.SERVICE_DELIVERY_ORDER: "Service Delivery Order",
    NoticeKind.NOT_PLACED: "Package not placed",
    NoticeKind.START_AGREED: "Start date agreed",
    NoticeKind.REVIEW_OUTCOME: "Review outcome",
}


class EventType(StrEnum):
    """Every kind of entry on a package's timeline (docs/scenarios.md § Output `events`).

    The engine writes most; a few come from the shell (the worker and brokers' own actions).
    A provider's answer is recorded under its action's name (`offer`, `decline`, ...).
    """

    # the referral
    REFERRAL_RECEIVED = "referral_received"
    REFERRAL_CHECKED = "referral_checked"
    REFERRAL_RETURNED = "referral_returned"
    DOCUMENTS_REQUESTED = "documents_requested"
    # stages and requests
    STAGE_STARTED = "stage_started"
    STAGE_SKIPPED = "stage_skipped"
    STAGE_ENDED = "stage_ended"
    ROUND_ENDED = "round_ended"
    BATCH_ISSUED = "batch_issued"
    BATCH_NOT_ISSUED = "batch_not_issued"
    OPEN_MARKET_LISTED = "open_market_listed"
    LATE_OFFER_ROUND = "late_offer_round"
    REQUEST_SENT = "request_sent"
    REQUEST_EXPIRED = "request_expired"
    REQUEST_WITHDRAWN = "request_withdrawn"
    PROVIDER_SKIPPED = "provider_skipped"
    CHASED = "chased"
    ISP_SENT = "isp_sent"
    NOTICE_SENT = "notice_sent"
    # answers (the provider's action)
    INTEREST = "interest"
    OFFER = "offer"
    DECLINE = "decline"
    CONSIDERING = "considering"
    CONSIDERING_REFUSED = "considering_refused"
    QUERY = "query"
    QUERY_ANSWER_SHARED = "query_answer_shared"
    OFFER_CHANGED = "offer_changed"  # a tender offer changed before the deadline
    OFFER_WITHDRAWN = "offer_withdrawn"  # ... or withdrawn
    ASSESSMENT = "assessment"
    ASSESSMENT_AGREED = "assessment_agreed"
    ASSESSMENT_REFUSED = "assessment_refused"
    ASSESSMENT_EXPIRED = "assessment_expired"
    ASSESSMENT_DONE = "assessment_done"
    LATE_INTEREST_KEPT = "late_interest_kept"
    IGNORED = "ignored"
    # gates and decisions
    GATE_RAISED = "gate_raised"
    GATE_PASSED = "gate_passed"
    GATE_RETURNED = "gate_returned"
    APPROVAL_RECORDED = "approval_recorded"
    NEXT_PROVIDER = "next_provider"
    # by hand (engine/by_hand.py): an award overriding the rule, a hold and its release
    AWARDED_BY_HAND = "awarded_by_hand"
    AWARD_OVERRIDE = "award_override"  # before a tender's deadline (docs/policies.md §6.3)
    HELD = "held"
    RELEASED = "released"
    VIEW_TO_CONFIRM = "view_to_confirm"  # held until a broker confirms the provider view
    VIEW_CONFIRMED = "view_confirmed"
    # Kent's self-funders leaving enablement (engine/grace.py, docs/policies.md §5)
    SELF_FUNDER_GRACE = "self_funder_grace"
    GRACE_ENDED = "grace_ended"
    # the outcome
    AWARD = "award"
    UNFILLED = "unfilled"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    REFERRER_TOLD = "referrer_told"
    # after the award
    CONFIRMED = "confirmed"
    CONFIRMATION_FORM_DUE = "confirmation_form_due"
    SERVICE_DELIVERY_ORDER_DUE = "service_delivery_order_due"
    FINANCIAL_ASSESSMENT_DUE = "financial_assessment_due"
    PLACEMENT_AGREEMENT_SENT = "placement_agreement_sent"
    PLACEMENT_AGREEMENT_COUNTERSIGNED = "placement_agreement_countersigned"
    REVIEW_DUE = "review_due"
    PLACEMENT_STARTED = "placement_started"  # engine/placement.py
    REVIEW_STARTED = "review_started"
    REVIEWED = "reviewed"  # the review's outcome (engine/reviews.py)
    PLACEMENT_ENDED = "placement_ended"
    # Kent after acceptance, from the shell (sourcing/after_award.py)
    SERVICE_DELIVERY_ORDER_SENT = "service_delivery_order_sent"
    FINANCIAL_ASSESSMENT_REQUESTED = "financial_assessment_requested"
    STEP_OVERDUE = "step_overdue"
    HANDBACK = "handback"
    HANDBACK_ESCALATED = "handback_escalated"
    HANDBACK_NOTICE = "handback_notice"  # several packages handed back with notice (§5)
    HANDBACK_CALL_DUE = "handback_call_due"  # the manager calls the provider by `due`
    HANDBACK_CALL_HELD = "handback_call_held"  # ... and did (shell: sourcing/handback_tasks.py)
    RETURNED_TO_LIST = "returned_to_list"
    WAITING_LIST_RAG = "waiting_list_rag"
    # from the shell (sourcing/*): the worker and brokers' own actions
    NOTICE_NOT_SENT = "notice_not_sent"
    ADOPTED = "adopted"
    QUERY_ANSWERED = "query_answered"
    PHONE_ANSWER_RECORDED = "phone_answer_recorded"
    SIGNED_IPA_RECEIVED = "signed_ipa_received"  # the winner uploaded it in the portal
    IPA_COUNTERSIGNED = "ipa_countersigned"  # a broker countersigned it (placements/ipa_loop.py)
    PURCHASE_ORDER_RECORDED = "purchase_order_recorded"  # Essex (placements/purchase_orders.py)
    # written by the shell before hold, release and cancel were engine inputs (older rows)
    CANCELLED_BY = "cancelled_by"
    PUT_ON_HOLD = "put_on_hold"


# Timeline event types in words, where they read better than the code in words: the staff
# pages' timelines (web/words.py) and the API's timelines and outcomes (api/) say them alike.
EVENT_WORDS: dict[str, str] = {
    "award": "Awarded",
    "unfilled": "Unable to fill",
    "gate_raised": "Waiting at a gate",
    "gate_passed": "Gate decided",
    "request_expired": "No answer in time",
    "decline": "Declined",
    "offer": "Offered",
    "interest": "Interested",
    "accept": "Accepted",
    "query": "Question asked",
    "query_answered": "Question answered",
    "isp_sent": "ISP sent",
    "waiting_list_rag": "Waiting list colour changed",
    "phone_answer_recorded": "Answer taken by phone",
    "awarded_by_hand": "Awarded by hand",
    "award_override": "Awarded by hand before the tender's deadline (override)",
    "held": "Held",
    "released": "Released",
    "view_to_confirm": "Held until a broker confirms what providers will see",
    "view_confirmed": "What providers will see confirmed",
    "view_redaction_added": "Words removed from what providers see",
    "personal_data_exported": "Everything held about the person exported (subject access)",
    "personal_data_erased": "The person's personal data erased",
    "cancelled_by": "Cancelled",
    "put_on_hold": "Held",
    "open_market_listed": "Listed on the open market",
    "provider_skipped": "Provider skipped",
    "placement_started": "Care started",
    "review_started": "Review started",
    "placement_ended": "Placement ended",
    "confirmed": "Start date and call times confirmed",
    "confirmation_form_due": "Provider Confirmation Form due",
    # Kent after acceptance (docs/policies.md §5): the council's own names for its steps
    "service_delivery_order_due": "Service Delivery Order due",
    "service_delivery_order_sent": "Service Delivery Order sent",
    "financial_assessment_due": "Financial assessment due",
    "financial_assessment_requested": "Financial assessment asked for",
    "signed_ipa_received": "Signed IPA received",
    "ipa_countersigned": "IPA countersigned",
    "placement_agreement_sent": "IPA sent for signature",
    "placement_agreement_countersigned": "IPA countersigned: the placement confirmed",
    "purchase_order_recorded": "Purchase order recorded",
    # after the award (docs/policies.md §5 Handbacks, Reviews)
    "handback": "Handed back by the provider",
    "handback_notice": "Notice given of a handback (several packages)",
    "handback_call_due": "Manager to call the provider",
    "handback_call_held": "Call with the provider held",
    "review_due": "Review date set",
    # Kent's self-funders leaving enablement (docs/policies.md §5)
    "self_funder_grace": "A self-funder: grace before purchasing",
    "grace_ended": "Grace over: the package goes to purchasing",
    "reviewed": "Review held",
}


def words(code: object) -> str:
    """Any code in words, where nothing better is defined: "returned_to_list" -> "Returned to
    list". People see words, never codes."""
    text = str(code or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def event_words(code: str | None) -> str:
    """A timeline event type as people read it."""
    return EVENT_WORDS.get(code or "", words(code))
