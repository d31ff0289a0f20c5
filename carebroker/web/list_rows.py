"""The broker's package list rows, rendered in Python (issue 14).

The list shows 50 rows of ten cells. Through the template engine each row cost about 200
variable lookups, two includes and a dozen filters (a third of the page's time at 100,000
packages, bench/web.py). Here each row is one format string filled with words worked out
once per row, with the lookups a page repeats (the package address, the status words, the
month names) done once per page; the markup is the template's, byte for byte
(`tests/web/test_list_rows.py` renders both and compares them), and every value is
escaped as the template's autoescape did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from carebroker.lib import london
from carebroker.sourcing.models import Package
from carebroker.web import words as vocabulary
from carebroker.web.waiting_days import WaitingRow

STATUS_TAGS = {  # web/includes/status.html
    "awarded": "govuk-tag--green",
    "on_hold": "govuk-tag--yellow",
    "held": "govuk-tag--orange",
    "sourcing": "govuk-tag--blue",
}
RAG_TAGS = {  # web/includes/rag.html
    "red": '<strong class="govuk-tag govuk-tag--red">Red</strong>',
    "amber": '<strong class="govuk-tag govuk-tag--orange">Amber</strong>',
    "green": '<strong class="govuk-tag govuk-tag--green">Green</strong>',
}
URGENT_TAG = '<strong class="govuk-tag govuk-tag--red">Urgent</strong>'

ROW = (
    "\n        \n"
    '        <tr class="govuk-table__row" data-package="{case}">\n'
    '          <th scope="row" class="govuk-table__header"><a class="govuk-link" '
    'href="{href}">{case}</a>\n'
    "            {urgent}</th>\n"
    '          <td class="govuk-table__cell" data-label="Name" data-person-name>{name}</td>\n'
    '          <td class="govuk-table__cell" data-label="Area">{area}</td>\n'
    '          <td class="govuk-table__cell" data-label="Status">\n'
    '<strong class="govuk-tag {status_tag}" data-status="{status}">{status_words}</strong>\n'
    "{gate}</td>\n"
    '          <td class="govuk-table__cell" data-label="Stage">{stage}</td>\n'
    '          <td class="govuk-table__cell govuk-table__cell--numeric" '
    'data-label="Hours a week">{hours}</td>\n'
    '          <td class="govuk-table__cell" data-label="Preferred start">{start}</td>\n'
    '          <td class="govuk-table__cell govuk-table__cell--numeric" data-days="{days}" '
    'data-label="Working days waiting">{waiting}</td>\n'
    "          {rag}\n"
    '          <td class="govuk-table__cell" data-label="Next due">{next_due}</td>\n'
    "        </tr>\n"
    "        \n"
    "      "
)


def _hours(value: Any) -> str:
    """`floatformat:"-2"`: a whole number without decimals (most rows), else two."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(floatformat(value, "-2"))


def _waiting(row: WaitingRow) -> str:
    if row.grace_until is not None:
        local = row.grace_until.astimezone(london.LONDON)
        return f"Grace until {local:%A} {local.day} {local:%B}"  # web_time.grace_day
    if row.days_waiting is None:
        return "Not accepted yet"
    return str(row.days_waiting)


# Django's escape() (the template's autoescape), without its lazy wrapper and SafeString.
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})
URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path argument


def _e(value: object) -> str:
    return str(value).translate(ESCAPES)


def render_rows(rows: list[WaitingRow], has_rag: bool, policy_name: str) -> SafeString:
    """The list's table rows, as the template's `{% for row in rows %}` body rendered them."""
    # The package page's address around its Mosaic ID, reversed once for all the rows.
    head, tail = reverse("package", args=["\0"]).split("%00")
    statuses = {code: str(words) for code, words in Package._meta.get_field("status").flatchoices}
    months = {n: str(name).title() for n, name in MONTHS_3.items()}  # the date filter's "M"
    out = []
    for row in rows:
        package = row.package
        urgent = package.urgent or package.hospital_discharge or package.emergency
        rag = ""
        if has_rag:
            tag = RAG_TAGS.get(row.rag or "", "")
            rag = f'<td class="govuk-table__cell" data-label="RAG">\n{tag}\n</td>'
        gate = ""
        if package.gate:
            words = _e(vocabulary.gate_words(package.gate))
            gate = f'<br><span class="govuk-body-s">{words}</span>'
        start = package.preferred_start  # `date:"j M Y"`
        next_due = london.london_short(package.next_due) if package.next_due else ""
        out.append(
            ROW.format(
                case=_e(package.case_number),
                href=_e(head + quote(package.case_number, safe=URL_SAFE) + tail),
                urgent=URGENT_TAG if urgent else "",
                name=_e(package.person.name),
                area=_e(package.area.name),
                status_tag=STATUS_TAGS.get(package.status, "govuk-tag--grey"),
                status=_e(package.status),
                status_words=_e(statuses.get(package.status, package.status)),
                gate=gate,
                stage=_e(vocabulary.stage_words(package.stage, policy_name)),
                hours=_e(_hours(package.hours_per_week)),
                start=f"{start.day} {months[start.month]} {start.year:04d}" if start else "",
                days="" if row.days_waiting is None else row.days_waiting,
                waiting=_e(_waiting(row)),
                rag=rag,
                next_due=_e(next_due or "–"),
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
