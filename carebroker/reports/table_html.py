"""A report `Table` as a GOV.UK table, rendered in Python (issue 13).

The dashboard shows nine tables, one of them up to 200 rows of six cells (the long waits).
Through the template engine each cell cost a loop step, two filters and an autoescape: a
third of the dashboard's time at 100,000 packages (bench/README.md). Here each row is a
join of cells; the markup is the template's, byte for byte
(`tests/reports/test_table_html.py` renders both and compares them, the template kept
beside it as table_template.html), and every value is escaped as the template's autoescape did.
"""

from __future__ import annotations

import html

from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

from carebroker.reports.tables import Table, cell_text


def escape(value: object) -> str:
    """As the template's autoescape: a safe string as it is, anything else escaped (a plain
    string, most cells, straight through html.escape, as Django's escape does)."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


_ROW = '\n      <tr class="govuk-table__row">\n        {cells}\n      </tr>\n    '
_HEAD = '<th scope="row" class="govuk-table__header">{}</th>'
_CELL = '<td class="govuk-table__cell">{}</td>'
_NUMERIC = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'


def table_html(table: Table, download_url: str = "", query: str = "") -> SafeString:
    """`table` as the template reports/_table.html (now tests/reports/table_template.html)
    rendered it, with its download links when `download_url` is given (the page's filters
    as `query`)."""
    numeric = table.numeric
    key, title = escape(table.key), escape(table.title)
    header = "".join(
        '<th scope="col" class="govuk-table__header'
        + (" govuk-table__header--numeric" if i in numeric else "")
        + f'">{escape(column)}</th>'
        for i, column in enumerate(table.columns)
    )
    forms = [_HEAD] + [_NUMERIC if i in numeric else _CELL for i in range(1, len(table.columns))]
    if table.rows:
        body = "".join(
            _ROW.format(
                cells="".join(
                    (forms[i] if i < len(forms) else _NUMERIC if i in numeric else _CELL).format(
                        escape(cell_text(value))
                    )
                    for i, value in enumerate(row)
                )
            )
            for row in table.rows
        )
    else:
        body = (
            '\n      <tr class="govuk-table__row"><td class="govuk-table__cell" '
            f'colspan="{len(table.columns)}">{escape(table.empty)}</td></tr>\n    '
        )
    out = (
        f'\n<table class="govuk-table carebroker-report-table" id="table-{key}" '
        f'data-table="{key}">\n'
        '  <caption class="govuk-table__caption govuk-table__caption--s">'
        f"{title}</caption>\n"
        '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n'
        f"    {header}\n"
        "  </tr></thead>\n"
        '  <tbody class="govuk-table__body">\n'
        f"    {body}\n"
        "  </tbody>\n"
        "</table>\n"
    )
    if download_url:
        title_lower = table.title.lower()  # the `lower` filter keeps a safe title safe
        if isinstance(table.title, SafeData):
            title_lower = mark_safe(title_lower)  # noqa: S308  (safe before it was lowered)
        lower = escape(title_lower)
        url = escape(download_url)
        extra = f"&amp;{escape(query)}" if query else ""
        out += (
            f'\n  <p class="govuk-body-s">Download {lower}:\n'
            f'    <a class="govuk-link" href="{url}figure={key}&amp;format=csv{extra}">CSV'
            f'<span class="govuk-visually-hidden"> ({lower})</span></a>,\n'
            f'    <a class="govuk-link" href="{url}figure={key}&amp;format=xlsx{extra}">'
            f'spreadsheet (.xlsx)<span class="govuk-visually-hidden"> ({lower})</span></a>\n'
            "  </p>\n"
        )
    return mark_safe(out + "\n")  # noqa: S308  (every value above escaped)
