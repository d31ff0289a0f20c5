"""`{{ value|cell }}`: a report cell as people read it (dates in words, numbers as they are)."""

from django import template
from django.utils.safestring import SafeString

from carebroker.reports.table_html import table_html
from carebroker.reports.tables import Table, cell_text

register = template.Library()


@register.filter
def cell(value: object) -> str:
    return cell_text(value)  # type: ignore[arg-type]


@register.filter
def is_numeric(table: object, index: int) -> bool:
    return index in getattr(table, "numeric", ())


@register.simple_tag(takes_context=True)
def report_table(context: template.Context, table: Table) -> SafeString:
    """`{% report_table table %}`: the table and, when the context gives `download_url`, its
    download links with the context's `query` (reports/table_html.py)."""
    return table_html(table, context.get("download_url") or "", context.get("query") or "")
