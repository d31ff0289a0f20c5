"""Codes from the policy in words: "escalate_to_team_manager" -> "escalate to team manager"."""

from django import template

register = template.Library()


@register.filter
def words(code: object) -> str:
    return str(code or "").replace("_", " ")
