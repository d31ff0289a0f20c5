"""The portal's batch rows (the packages to tick), rendered in Python (issue 14).

As for the history (portal/history_rows.py): 50 rows through the template engine, each
with an include and five filters, were most of the requests page's time at 100,000
packages (bench/web.py). The markup is the template's, byte for byte
(`tests/portal/test_batch_rows.py` renders both and compares them), every value escaped as
the template's autoescape did (`html.escape` maps the same five characters as Django's).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from carebroker.lib import london
from carebroker.sourcing.models import Package, SourcingRequest

I = " "  # noqa: E741 - one indent step, to keep the rows' spacing readable below
ROW = (
    "\n"
    f'{I * 16}<tr class="govuk-table__row">\n'
    f'{I * 18}<td class="govuk-table__cell">\n'
    f'{I * 20}<div class="govuk-checkboxes govuk-checkboxes--small" '
    'data-module="govuk-checkboxes">\n'
    f'{I * 22}<div class="govuk-checkboxes__item">\n'
    f'{I * 24}<input class="govuk-checkboxes__input" id="interest-{{pk}}" name="requests" '
    'type="checkbox" value="{pk}"{ticked}>\n'
    f'{I * 24}<label class="govuk-label govuk-checkboxes__label" for="interest-{{pk}}">'
    '<span class="govuk-visually-hidden">Interested in {case}</span></label>\n'
    f"{I * 22}</div>\n"
    f"{I * 20}</div>\n"
    f"{I * 18}</td>\n"
    f'{I * 18}<td class="govuk-table__cell" data-label="Mosaic ID"><a class="govuk-link" '
    'href="{href}">{case}</a> {flags}</td>\n'
    f'{I * 18}<td class="govuk-table__cell" data-label="District">{{district}}</td>\n'
    f'{I * 18}<td class="govuk-table__cell" data-label="Hours a week">{{hours}}</td>\n'
    f'{I * 18}<td class="govuk-table__cell" data-label="Start">{{start}}</td>\n'
    f'{I * 18}<td class="govuk-table__cell" data-label="Specialisms">{{specialisms}}</td>\n'
    f'{I * 18}<td class="govuk-table__cell" data-label="Answer by">{{answer_by}}</td>\n'
    f"{I * 16}</tr>\n"
    f"{I * 14}"
)


def flags(package: Package) -> str:
    """portal/includes/flags.html: the package's flags as tags with words."""
    urgent = package.urgent or package.hospital_discharge or package.emergency
    return (
        "\n"
        + ('<strong class="govuk-tag govuk-tag--red">Urgent</strong>' if urgent else "")
        + "\n"
        + (
            '<strong class="govuk-tag govuk-tag--blue">TSA</strong>'
            if package.target_supply_area
            else ""
        )
        + "\n"
        + (
            '<strong class="govuk-tag govuk-tag--purple">Enhanced rate</strong>'
            if package.enhanced_rate
            else ""
        )
        + "\n"
    )


def _hours(value: Any) -> str:
    """`floatformat:"-2"`: a whole number without decimals (most rows), else two."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return str(floatformat(value, "-2"))


def render_rows(rows: Iterable[SourcingRequest]) -> SafeString:
    """The batch table's rows, as the template's `{% for row in batch %}` body rendered them."""
    head, tail = reverse("portal:request", args=[0]).rsplit("0", 1)
    out = []
    for row in rows:
        package = row.package
        view = package.provider_view if isinstance(package.provider_view, dict) else {}
        district = view.get("postcode") if package.provider_view else None
        specialisms = package.specialisms
        if row.outcome == "expired":
            answer_by = (
                f"Passed ({escape(london.london_time(row.deadline))}): late interest is kept "
                "while the batch runs"
            )
        else:
            answer_by = escape(london.london_time(row.deadline))
        out.append(
            ROW.format(
                pk=escape(str(row.pk)),
                ticked=" disabled checked" if row.outcome == "interest" else "",
                case=escape(package.case_number),
                href=escape(f"{head}{row.pk}{tail}"),
                flags=flags(package),
                district=escape(str(district)) if district else "",
                hours=escape(_hours(package.hours_per_week)),
                start=escape(london.long_date(package.preferred_start)),
                specialisms=(
                    escape(", ").join(escape(str(s)) for s in specialisms)
                    if specialisms
                    else "None"
                ),
                answer_by=answer_by,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
