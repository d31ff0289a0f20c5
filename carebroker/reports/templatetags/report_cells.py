"""`{{ value|cell }}`: a report cell as people read it (dates in words, numbers as they are)."""

from django import template

from carebroker.reports.tables import cell_text

register = template.Library()


@register.filter
def cell(value: object) -> str:
    return cell_text(value)  # type: ignore[arg-type]


@register.filter
def is_numeric(table: object, index: int) -> bool:
    return index in getattr(table, "numeric", ())
