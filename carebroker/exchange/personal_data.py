"""What this app keeps about a person, for erasure and subject access
(placements/personal_data.py, told by ExchangeConfig.ready):

- provider email replies (`InboundReply`) about one of the person's packages: an answer read
  for its Mosaic ID, or the Mosaic ID named in the subject or text. Replies are not linked
  to packages by key (a queued one may name several, or be unreadable), so they are found
  by the Mosaic ID, a whole word (M1001 is not M10011). Erasure removes the subject and the
  text (what the provider wrote about the person); who sent it, when, and the answers read
  (action, rate) stay, as the requests' do.
- EHM visit returns (`EhmSubmission`): the per-package visit counts under the person's
  Mosaic IDs. Erasure removes those entries; the return's totals stay (the KPI and the
  weighted award read only the totals). The file itself is never kept (its name and
  digest only).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from carebroker.exchange.models import EhmSubmission, InboundReply, ReplyStatus
from carebroker.placements.personal_data import ERASED, Holder

# The answers read from a reply, for one package: what the statistics keep.
ANSWER_KEYS = ("case", "action", "coverage", "rate", "reason", "late")


def replies_about(council_id: int, cases: list[str]) -> list[InboundReply]:
    if not cases:
        return []
    named = Q()
    for case in cases:
        named |= Q(text__icontains=case) | Q(subject__icontains=case)
    whole_word = re.compile(
        r"(?<![A-Za-z0-9-])(?:" + "|".join(map(re.escape, cases)) + r")(?![A-Za-z0-9-])",
        re.IGNORECASE,
    )
    wanted = {case.upper() for case in cases}
    found = []
    # Recorded replies carry their answers by Mosaic ID; any other must name it.
    replies = InboundReply.objects.filter(council_id=council_id).select_related("provider")
    for reply in replies.filter(named | Q(status=ReplyStatus.RECORDED)):
        if _answered(reply) & wanted or whole_word.search(f"{reply.subject}\n{reply.text}"):
            found.append(reply)
    return sorted(found, key=lambda reply: (reply.received_at, reply.pk))


def _answered(reply: InboundReply) -> set[str]:
    return {
        str(answer.get("case", "")).upper()
        for answer in reply.answers or []
        if isinstance(answer, dict)
    }


def export_replies(council_id: int, cases: list[str]) -> list[dict[str, Any]]:
    wanted = {case.upper() for case in cases}
    return [
        {
            "received_at": reply.received_at,
            "from": reply.sender,
            "provider": str(reply.provider) if reply.provider_id else None,
            "subject": reply.subject,
            "text": reply.text,
            "status": reply.get_status_display(),
            "answers_read": [
                {key: answer.get(key) for key in ANSWER_KEYS if key in answer}
                for answer in reply.answers or []
                if isinstance(answer, dict) and str(answer.get("case", "")).upper() in wanted
            ],
        }
        for reply in replies_about(council_id, cases)
    ]


def erase_replies(council_id: int, cases: list[str]) -> None:
    pks = [reply.pk for reply in replies_about(council_id, cases)]
    InboundReply.objects.filter(pk__in=pks).update(subject=ERASED, text=ERASED)


def ehm_returns_about(council_id: int, cases: list[str]) -> list[EhmSubmission]:
    rows = EhmSubmission.objects.filter(council_id=council_id).select_related("provider")
    return [
        row for row in rows.order_by("period_start", "pk") if set(row.by_package or {}) & set(cases)
    ]


def export_ehm(council_id: int, cases: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "provider": str(row.provider),
            "period_start": row.period_start,
            "period_end": row.period_end,
            "received_at": row.received_at,
            "file_name": row.file_name,
            "visits": {case: row.by_package[case] for case in cases if case in row.by_package},
        }
        for row in ehm_returns_about(council_id, cases)
    ]


def erase_ehm(council_id: int, cases: list[str]) -> None:
    for row in ehm_returns_about(council_id, cases):
        kept = {case: counts for case, counts in row.by_package.items() if case not in cases}
        EhmSubmission.objects.filter(pk=row.pk).update(by_package=kept)


HOLDERS = (
    Holder("email_replies_from_providers", export_replies, erase_replies),
    Holder("ehm_visit_returns", export_ehm, erase_ehm),
)
