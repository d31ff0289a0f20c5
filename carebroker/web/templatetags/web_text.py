"""Codes from the policy in words: "escalate_to_team_manager" -> "escalate to team manager"."""

from django import template

register = template.Library()


@register.filter
def words(code: object) -> str:
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
