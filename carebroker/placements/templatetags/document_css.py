"""`css_string`: a value written inside a CSS string in a document's <style> (the page
footer). HTML escaping is wrong there (a <style> element is raw text: "&amp;" was printed
as is); CSS escapes are right, and "<" is escaped so the text cannot end the element."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\A ", "\r": "", "<": "\\3C ", ">": "\\3E "}


@register.filter
def css_string(value: object) -> SafeString:
    return mark_safe("".join(_ESCAPES.get(char, char) for char in str(value)))  # noqa: S308
