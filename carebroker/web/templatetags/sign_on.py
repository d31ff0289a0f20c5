"""The sign-in page's single sign-on buttons: one per council that has a provider set up
(settings.SSO_COUNCILS); none when no council uses single sign-on."""

from typing import Any

from django import template
from django.conf import settings

from carebroker.councils.models import Council

register = template.Library()


@register.inclusion_tag("registration/sign_on_buttons.html")
def sign_on_buttons(next_url: str = "") -> dict[str, Any]:
    councils = list(Council.objects.filter(slug__in=list(settings.SSO_COUNCILS)))
    return {"councils": councils, "next": next_url}
