"""Codes in words on pages (carebroker/web/words.py): `{{ package.stage|stage:policy }}`,
`{{ package.gate|gate }}`, `{{ request.outcome|outcome }}`, `{{ code|words }}`."""

from django import template

from carebroker.councils.models import Council
from carebroker.engine.vocabulary import event_words
from carebroker.web import words as vocabulary
from carebroker.web.waiting_days import policy_and_calendar

register = template.Library()


@register.filter
def words(code: object) -> str:
    """Any other code: "escalate_to_team_manager" -> "escalate to team manager"."""
    return str(code or "").replace("_", " ")


# The demo policies' stage names as their councils say them (docs/policies.md §3, §4, §5, §6);
# a stage a council adds later reads as its name in words.
STAGE_NAMES = {
    "urgent": "Urgent calls",
    "batch": "Batch",
    "tier2": "Tier 2 calls",
    "open_market": "Open market",
    "cluster": "Cluster protocol",
    "other_contracted": "Other contracted providers",
    "non_contracted": "Non-contracted providers",
    "emergency": "Emergency calls",
    "framework": "Framework",
    "off_framework": "Off framework",
}


@register.filter
def stage_name(code: object) -> str:
    name = str(code or "")
    return STAGE_NAMES.get(name, name.replace("_", " ").capitalize())


@register.filter
def capfirst_words(code: object) -> str:
    """An event type as a title: "request_expired" -> "No answer in time"."""
    return event_words(str(code or ""))


@register.filter
def stage(code: str | None, policy_name: str = "") -> str:
    return vocabulary.stage_words(code, policy_name)


@register.filter
def gate(code: str | None) -> str:
    return vocabulary.gate_words(code)


@register.filter
def gate_question(code: str | None) -> str:
    return vocabulary.gate_question(code)


@register.filter
def outcome(code: str | None) -> str:
    return vocabulary.outcome_words(code)


@register.filter(name="round")
def round_(code: str | None, policy_name: str = "") -> str:
    return vocabulary.round_words(code, policy_name)


@register.filter
def reason(code: str | None) -> str:
    return vocabulary.reason_words(code)


@register.filter
def document(code: str) -> str:
    return vocabulary.document_words(code)


@register.filter
def when(value: object) -> str:
    return vocabulary.when_words(value)


@register.simple_tag
def council_has_batch(council: Council | None) -> bool:
    """Whether the council's policy issues a daily batch (Essex, docs/policies.md §4.2): only
    then do its staff get "Today's batch"."""
    if council is None:
        return False
    policy, _ = policy_and_calendar(council)
    return any(stage.kind == "batch" for stage in policy.stages)


@register.simple_tag
def referral_progress(referral: object, package: object) -> str:
    """Where the referral's package stands, in the referrer's words."""
    from carebroker.web.referral_progress import progress_of

    return progress_of(referral, package)  # type: ignore[arg-type]


@register.filter
def document_names(names: object) -> str:
    """Document codes as their labels: "financial_authorisation" -> "Financial authorisation"."""
    from carebroker.referrals.models import Document

    labels = dict(Document.choices)
    items = names if isinstance(names, list | tuple) else []
    return ", ".join(str(labels.get(str(n), str(n).replace("_", " "))) for n in items)


@register.filter
def sort_link(query: str, sort: str) -> str:
    """The list's query string with `sort` chosen (and back to its first page)."""
    from django.http import QueryDict

    params = QueryDict(query, mutable=True)
    params["sort"] = sort
    for name in ("page", "after", "before"):  # a new order starts at its first page
        params.pop(name, None)
    return params.urlencode()


@register.filter
def role_words(user: object) -> str:
    """The user's role as their council names it (Kent: "Area Support Manager")."""
    council = getattr(user, "council", None)
    role = str(getattr(user, "role", ""))
    if council is not None and role in ("broker", "manager", "referrer"):
        return vocabulary.owner_words(role, council.policy_name)
    display = getattr(user, "get_role_display", None)
    return str(display()) if callable(display) else role


# Why a provider was not awarded, as the engine records it (docs/policies.md §4.2: a batch
# awards the highest-ranked offer; §6.3: Leicestershire's codes D1-D4 are the council's own
# words to providers and stay as they are).
NOT_AWARDED = {"not_chosen": "a higher-ranked provider's offer was chosen"}


@register.filter
def not_awarded_words(code: object) -> str:
    text = str(code or "")
    return NOT_AWARDED.get(text, text.replace("_", " "))
