"""The placement documents that travel with notices (issue 11 "paperwork issued, not just
made"): each is made when its notice is queued, kept with the package (listed on the
package page and, for its provider, in the portal) and attached to the email.

- the ISP (docs/policies.md §4.2 offer round) with the "ISP sent" notice: the provider view
  only, encrypted with a password of its own (a new one per file). The password never
  travels by email: the provider's own users see it once in the portal (documents page).
- with the award notice, to the winner only: Kent's Provider Confirmation Form
  (docs/policies.md §5 After acceptance), Leicestershire's IPA for signature (§6 Filled) and
  Essex's commencement letter (§4 After the award), each carrying the full record, which
  the winner alone may see (§6.2).
- with the "countersigned IPA" notice, to the winner only: the countersigned copy
  (placements/ipa_loop.py).
- with the "Service Delivery Order" notice, to the winner only (Kent, §5 After acceptance):
  the SDO, made when the Purchasing Officer sends it from the package page
  (sourcing/after_award.py), with the confirmed start date.

Registered with the sourcing shell by `PlacementsConfig.ready` (`effects.add_paperwork`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from carebroker.lib.numbers import is_whole_number
from carebroker.outbox.models import NoticeKind
from carebroker.placements.documents.store import make_document
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.providers.models import Provider
from carebroker.sourcing.effects import Attachment, add_paperwork
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package


def _provider(to: str) -> Provider | None:
    return Provider.objects.filter(pk=int(to)).first() if is_whole_number(to) else None


def _attached(documents: list[PlacementDocument]) -> list[Attachment]:
    return [(d.filename, bytes(d.content), d.content_type) for d in documents]


def isp_with_notice(
    package: Package, to: str, context: Mapping[str, Any], now: datetime
) -> list[Attachment]:
    provider = _provider(to)
    if provider is None:
        return []
    made = make_document(
        package, DocumentKind.ISP, now=now, provider=provider, deadline=context.get("deadline")
    )
    return _attached(made)


def award_papers(
    package: Package, to: str, context: Mapping[str, Any], now: datetime
) -> list[Attachment]:
    """The winner's papers with its award notice, per the council's policy."""
    provider = _provider(to)
    if provider is None or package.awarded_provider_id != provider.pk:
        return []  # the full record goes to the winner alone (docs/policies.md §6.2)
    policy = policy_of(package.council)
    start = context.get("start")
    if policy.full_record_in:  # Leicestershire: the IPA, sent for signature (§6 Filled)
        made = make_document(package, DocumentKind.IPA, now=now, provider=provider, start=start)
        return _attached(made)
    if policy.commencement_letter:  # Essex: the commencement letter (§4 After the award)
        made = make_document(
            package, DocumentKind.COMMENCEMENT_LETTER, now=now, provider=provider, start=start
        )
        return _attached(made)
    if policy.after_acceptance is not None:  # Kent: the confirmation form (§5)
        made = make_document(
            package, DocumentKind.CONFIRMATION_FORM, now=now, provider=provider, start=start
        )
        return _attached(made)
    return []


def sdo_papers(
    package: Package, to: str, context: Mapping[str, Any], now: datetime
) -> list[Attachment]:
    """The Service Delivery Order with its notice, to the winner only (it carries the full
    record, docs/policies.md §6.2)."""
    provider = _provider(to)
    if provider is None or package.awarded_provider_id != provider.pk:
        return []
    made = make_document(
        package,
        DocumentKind.SERVICE_DELIVERY_ORDER,
        now=now,
        provider=provider,
        start=context.get("start"),
    )
    return _attached(made)


def register() -> None:
    from carebroker.placements.ipa_loop import countersigned_papers

    add_paperwork(NoticeKind.ISP_SENT, isp_with_notice)
    add_paperwork(NoticeKind.AWARD, award_papers)
    add_paperwork(NoticeKind.IPA_COUNTERSIGNED, countersigned_papers)
    add_paperwork(NoticeKind.SERVICE_DELIVERY_ORDER, sdo_papers)
