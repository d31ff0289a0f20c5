"""Codes in words on staff pages, in each council's own terms (issue 10 item 3).

People see words, never codes: a stage, gate, round, answer or timeline line is shown by
what it means, and the roles by the names each council gives them (Essex: the Service
Placement Team and ISPs, docs/policies.md §4; Kent: the Purchasing Officer, the Area Support
Manager and packages of care, §5; Leicestershire: Brokerage and the allocated worker, §6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from carebroker.engine.handbacks import REASONS as HANDBACK_REASONS
from carebroker.engine.reviews import OUTCOMES as REVIEW_OUTCOMES
from carebroker.engine.vocabulary import words
from carebroker.lib.london import london_short
from carebroker.referrals.models import Document
from carebroker.reports.words import REASONS


@dataclass(frozen=True)
class Terms:
    """What a council calls its people and things."""

    broker: str
    brokers: str
    manager: str
    referrer: str
    package: str = "package"
    offer_paper: str = "offer"  # what goes to a provider in the offer round


TERMS: dict[str, Terms] = {
    "essex-lah": Terms(
        broker="Service Placement Team",
        brokers="the Service Placement Team",
        manager="Service Placement Team manager",
        referrer="social worker",
        offer_paper="ISP",
    ),
    "kent-oppd": Terms(
        broker="Purchasing Officer",
        brokers="Purchasing",
        manager="Area Support Manager",
        referrer="care manager",
        package="package of care",
    ),
    "leics-short-breaks": Terms(
        broker="Brokerage",
        brokers="Brokerage",
        manager="Brokerage manager",
        referrer="allocated worker",
    ),
}
DEFAULT_TERMS = Terms(
    broker="Broker", brokers="the brokers", manager="Manager", referrer="referrer"
)


def terms_of(policy_name: str) -> Terms:
    return TERMS.get(policy_name, DEFAULT_TERMS)


def owner_words(who: str, policy_name: str) -> str:
    """Who decides a gate (manager | broker | referrer), in the council's terms."""
    terms = terms_of(policy_name)
    named = {"manager": terms.manager, "broker": terms.broker, "referrer": terms.referrer}
    text = named.get(who, words(who))
    return text[:1].upper() + text[1:]


# Stage names of the presets (engine/presets/*.toml), as a broker says them.
STAGES = {
    "urgent": "Urgent calls",
    "batch": "Daily batch (Tier 1)",
    "tier2": "Tier 2 providers",
    "open_market": "Open market (Available Packages list)",
    "cluster": "Cluster providers",
    "other_contracted": "Other contracted providers",
    "non_contracted": "Non-contracted providers",
    "framework": "Framework tender",
    "off_framework": "Off-framework tender",
    "emergency": "Emergency, by telephone",
    "change_to_existing": "Current provider asked first",
    "by_hand": "Awarded by hand",
}

# Each gate as the question it asks (docs/policies.md §3), and a short name for tables.
GATE_QUESTIONS = {
    "open_market_choice": "Choose an offer from the open market",
    "non_contracted_approval": "Approve going to non-contracted providers",
    "sanction_approval": "Approve a sanctioned provider",
    "later_start": "Accept a later start date",
    "mini_competition": "Choose the winner of the mini-competition",
    "part_offer": "Only part offers came in",
    "unable_to_fill": "No provider could take the package",
}
GATES = {
    "open_market_choice": "Open-market choice",
    "non_contracted_approval": "Non-contracted approval",
    "sanction_approval": "Sanctioned provider approval",
    "later_start": "Later start date",
    "mini_competition": "Mini-competition",
    "part_offer": "Part offers only",
    "unable_to_fill": "Unable to fill",
}

OUTCOMES = {
    "open": "Waiting for an answer",
    "considering": "Considering",
    "interest": "Interested",
    "offer": "Offered",
    "accept": "Accepted",
    "decline": "Declined",
    "expired": "No answer in time",
    "withdrawn": "Withdrawn",
    "assessment": "Wants to assess first",
    "awarded": "Awarded",
}

# Timeline detail keys that are the engine's bookkeeping, not news for a person.
_HIDDEN_KEYS = {"question_event", "kind", "cycle", "why", "copy_manager", "to", "message"}
_KEY_WORDS = {
    "provider": "provider",
    "providers": "providers",
    "tied": "tied offers from",
    "stage": "stage",
    "gate": "gate",
    "round": "round",
    "reason": "reason",
    "missing": "missing",
    "rate": "hourly rate",
    "start": "start",
    "until": "answer by",
    "taken_at": "taken at",
    "recorded_at": "recorded at",
    "rag": "now",
    "decision": "decision",
    "action": "answer",
    "answer": "answer",
    "question": "question",
    "text": "said",
    "ignored": "ignored because",
    "notice": "notice",
    "actor": "by",
    "override_reason": "why before the deadline",
    "ends": "care ends",
    "notice_given": "notice given",
    "earliest": "not before",
    "latest": "by",
    "hours_per_week": "new hours a week",
    "grace_ends": "grace until",
}
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def stage_words(code: str | None, policy_name: str = "") -> str:
    if not code:
        return "Not started"
    if code == "batch" and policy_name != "essex-lah":
        return "Daily batch"
    return STAGES.get(code, words(code))


def gate_words(code: str | None) -> str:
    return GATES.get(code or "", words(code))


def gate_question(code: str | None) -> str:
    return GATE_QUESTIONS.get(code or "", words(code))


def outcome_words(code: str | None) -> str:
    return OUTCOMES.get(code or "", words(code))


def round_words(code: str | None, policy_name: str = "") -> str:
    if code == "offer":
        return f"{terms_of(policy_name).offer_paper} round" if policy_name else "offer round"
    if code == "interest":
        return "interest round"
    return words(code)


def reason_words(code: str | None) -> str:
    code = (code or "").strip()
    if not code:
        return ""
    # a decline's reason, else a handback's (engine/handbacks.py), else the provider's words
    return REASONS.get(code) or HANDBACK_REASONS.get(code) or words(code)


def document_words(code: str) -> str:
    labels = dict(Document.choices)
    return str(labels.get(code, words(code)))


def when_words(value: object) -> str:
    """A time or date, from an object or an ISO text, in London: "23 Nov 2026, 10:00"."""
    if isinstance(value, str) and _ISO.match(value.strip()):
        text = value.strip().replace("Z", "+00:00")
        value = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo:
            return london_short(value)
        return f"{value.day} {value:%b %Y}, {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def event_details(
    type_: str, details: Mapping[str, object], names: Mapping[int, str], policy_name: str
) -> str:
    """A timeline line's details in words: provider ids as names, codes and times in words;
    flags that are off and the engine's bookkeeping left out."""
    parts = []
    for key, value in details.items():
        if key in _HIDDEN_KEYS or value in (None, "", [], False):
            continue
        if value is True:
            parts.append(words(key).lower() if key != "urgent" else "urgent")
            continue
        text = _value_words(key, value, names, policy_name)
        if text:
            parts.append(f"{_KEY_WORDS.get(key, words(key).lower())}: {text}")
    return "; ".join(parts)


def _value_words(key: str, value: object, names: Mapping[int, str], policy_name: str) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(key, item, names, policy_name) for item in value)
    if key in ("provider", "providers", "tied", "assessor") and str(value).isdigit():
        return names.get(int(str(value)), "a provider")
    if key == "stage":
        return stage_words(str(value), policy_name)
    if key == "gate":
        return gate_words(str(value))
    if key == "round":
        return round_words(str(value), policy_name)
    if key == "missing":
        return document_words(str(value))
    if key == "reason":
        return reason_words(str(value))
    if key == "rate":
        return f"£{value}"
    if key == "outcome" and str(value) in REVIEW_OUTCOMES:
        return REVIEW_OUTCOMES[str(value)]
    if key in ("action", "decision", "notice", "outcome"):
        return outcome_words(str(value)).lower() if str(value) in OUTCOMES else words(value)
    text = when_words(value)
    return words(text) if "_" in text else text
