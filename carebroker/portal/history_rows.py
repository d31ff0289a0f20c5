"""The portal history's rows, rendered in Python (issue 14).

Through the template engine a page of 50 rows (six cells, an include for the answer) cost
more than the rest of the page with its queries (bench/web.py at 100,000 packages). Here
each row is one format string; the markup is the template's, byte for byte
(`tests/portal/test_history_rows.py` renders both and compares them), every value escaped
as the template's autoescape did (`html.escape` maps the same five characters as Django's).
The words come from the same filters the template used: the `web_text` template library,
which the portal's templates load by name (the portal does not import the web app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django.template import engines
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from carebroker.lib import london
from carebroker.sourcing.models import Package, SourcingRequest

ROW = (
    "\n"
    '          <tr class="govuk-table__row">\n'
    '            <td class="govuk-table__cell" data-label="Mosaic ID"><a class="govuk-link" '
    'href="{href}">{case}</a></td>\n'
    '            <td class="govuk-table__cell" data-label="Stage">{stage} ({round})</td>\n'
    '            <td class="govuk-table__cell" data-label="Sent">{sent}</td>\n'
    '            <td class="govuk-table__cell" data-label="Your answer">\n{answer}\n</td>\n'
    '            <td class="govuk-table__cell govuk-table__cell--numeric" '
    'data-label="Your rate">{rate}</td>\n'
    '            <td class="govuk-table__cell" data-label="Outcome for you">{ending}</td>\n'
    "          </tr>\n"
    "        "
)
ANSWERS = {  # portal/includes/outcome.html
    "open": "Not answered yet",
    "considering": "Still considering",
    "assessment": "Asked to assess",
    "expired": "No answer by the deadline",
    "withdrawn": "Withdrawn by the council",
}
STILL_SOURCED = ("sourcing", "on_hold", "held")


def _filters() -> dict[str, Callable[..., Any]]:
    library = engines["django"].engine.template_libraries["web_text"]  # type: ignore[attr-defined]
    return dict(library.filters)


def answer_words(row: SourcingRequest, words: dict[str, Callable[..., Any]]) -> str:
    """portal/includes/outcome.html: our own answer in words (escaped)."""
    outcome = row.outcome
    if outcome in ANSWERS:
        text = ANSWERS[outcome]
    elif outcome == "interest":
        text = "Interested (after the deadline, kept)" if row.late else "Interested"
    elif outcome == "offer":
        text = "Offer in part" if row.coverage == "part" else "Offer"
    elif outcome == "decline":
        text = "Offer withdrawn" if row.reason == "offer withdrawn" else "Declined"
    else:
        said = str(words["words"](outcome))
        text = escape(said[:1].upper() + said[1:])  # `|words|capfirst`
    if row.not_awarded:
        text += f"; not awarded: {escape(str(words['not_awarded_words'](row.not_awarded)))}"
    return text


def render_rows(rows: Iterable[SourcingRequest], provider_pk: int, confirm: set[str]) -> SafeString:
    """The history's table rows, as the template's `{% for row in rows %}` body rendered
    them; `confirm`: the packages whose Provider Confirmation Form we are asked for."""
    words = _filters()
    head, tail = reverse("portal:request", args=[0]).rsplit("0", 1)
    confirm_head, confirm_tail = reverse("portal:confirmation", args=["\0"]).split("%00")
    statuses = {code: str(text) for code, text in Package._meta.get_field("status").flatchoices}
    out = []
    for row in rows:
        package = row.package
        case = escape(package.case_number)
        if package.awarded_provider_id == provider_pk:
            ending = '<strong class="govuk-tag govuk-tag--green">Awarded to you</strong>'
            if package.case_number in confirm:
                href = escape(confirm_head + _quote(package.case_number) + confirm_tail)
                ending += (
                    f'<br><a class="govuk-link" href="{href}" data-confirmation-link>Return the '
                    'Provider Confirmation Form<span class="govuk-visually-hidden"> (package '
                    f"{case})</span></a>"
                )
        elif package.status == "awarded":
            ending = "Placed with another provider"
        elif package.status in STILL_SOURCED:
            ending = "Still being sourced"
        else:
            ending = escape(statuses.get(package.status, package.status))
        out.append(
            ROW.format(
                href=escape(f"{head}{row.pk}{tail}"),
                case=case,
                stage=escape(str(words["stage_name"](row.stage))),
                round="interest" if row.round == "interest" else "offer",
                sent=escape(london.london_time(row.sent_at)),
                answer=answer_words(row, words),
                rate="" if row.rate is None else f"£{escape(str(localize(row.rate)))}",
                ending=ending,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="!$&'()*+,;=/~:@")  # as reverse() quotes a path argument
