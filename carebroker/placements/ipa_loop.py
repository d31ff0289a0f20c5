"""Leicestershire's IPA loop after the award (seed 004 steps 20-24, docs/policies.md §6 Filled).

1. At the award the IPA (full record, Part C done, not signed by the Authority) is made and
   sent to the winner for signature (placements/paperwork.py `award_papers`).
2. The winner returns it signed in the portal: `do_receive_signed_ipa` keeps the PDF as a
   new "Signed IPA" document (a re-upload is another version: nothing is ever replaced).
3. A broker or manager countersigns it on the package page: `do_countersign` checks the
   start date, gives the engine the winner's confirmation with that start (the one write
   path: the engine writes `placement_agreement_countersigned` and `confirmed`), stamps the
   latest signed PDF with who countersigned it and when, keeps that copy, and sends it back
   to the provider for its records. The tracker's IPAs tab reads the three documents.

A revision (the IPA signed again after it was countersigned) is countersigned the same way;
the engine, whose placement is already confirmed, is not told twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.engine.inputs import Answer
from carebroker.engine.provider_view import initials
from carebroker.engine.vocabulary import EventType, NoticeKind
from carebroker.lib.london import LONDON
from carebroker.lib.numbers import is_whole_number
from carebroker.placements.documents.facts import DocumentRefused, long_date
from carebroker.placements.documents.rendering import PDF, DocumentFile
from carebroker.placements.documents.stamp import readable_pdf, stamped
from carebroker.placements.documents.store import keep_file, keep_signed_ipa
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.sourcing import runner
from carebroker.sourcing.actions import ActionError, check_staff
from carebroker.sourcing.effects import Attachment, notify
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import EventSource, Package, TimelineEvent

# A signed IPA is a few pages of text and one scanned signature; 5 MB is plenty.
MAX_SIGNED_BYTES = 5 * 1024 * 1024


def has_ipa_loop(package: Package) -> bool:
    """The council sends an IPA for signature (docs/policies.md §6: Leicestershire)."""
    return bool(policy_of(package.council).full_record_in)


def versions(package: Package, kind: str) -> list[PlacementDocument]:
    """The package's documents of `kind`, oldest first, without their content."""
    return list(
        PlacementDocument.objects.filter(package=package, kind=kind)
        .select_related("created_by")
        .defer("content")
        .order_by("created_at", "pk")
    )


def to_countersign(package: Package) -> PlacementDocument | None:
    """The latest signed IPA, when no countersigned copy was made after it."""
    signed = versions(package, DocumentKind.SIGNED_IPA)
    if not signed:
        return None
    done = versions(package, DocumentKind.COUNTERSIGNED_IPA)
    if done and (done[-1].created_at, done[-1].pk) > (signed[-1].created_at, signed[-1].pk):
        return None
    return signed[-1]


# -- the winner returns it signed (portal) ---------------------------------------------


def check_winner(user: User, package: Package) -> None:
    """A provider user of the package's winner, in a council with the IPA loop."""
    if (
        not user.is_active
        or user.role != Role.PROVIDER
        or user.council_id != package.council_id
        or user.provider_id is None
        or user.provider_id != package.awarded_provider_id
    ):
        raise PermissionDenied("Only the provider awarded this package may return its IPA.")
    if not has_ipa_loop(package):
        raise PermissionDenied(f"{package.council} does not send placement agreements to sign.")


def do_receive_signed_ipa(
    user: User, package: Package, content: bytes, now: datetime
) -> PlacementDocument:
    """Keep the signed IPA the winner uploaded (a PDF the council can stamp); DocumentRefused
    naming the file's problem, and nothing kept, when it is not one."""
    check_winner(user, package)
    if len(content) > MAX_SIGNED_BYTES:
        raise DocumentRefused("file: the selected file must be smaller than 5 MB")
    readable_pdf(content)
    with transaction.atomic():
        kept = keep_signed_ipa(package, content, "pdf", now=now, created_by=user)
        _audit(package, user, now, EventType.SIGNED_IPA_RECEIVED, file=kept.filename)
    return kept


# -- the council countersigns (package page) --------------------------------------------


def check_countersign(user: User, package: Package, start: date | None, now: datetime) -> None:
    """A broker or manager of the package's council, a signed IPA waiting, a start date
    from today on; PermissionDenied, ActionError or ValidationError (on `start`) saying
    which is missing."""
    check_staff(user, package)
    if not has_ipa_loop(package):
        raise ActionError(f"{package.council} does not countersign placement agreements.")
    if package.awarded_provider_id is None:
        raise ActionError(f"Package {package.case_number} is not awarded.")
    if to_countersign(package) is None:
        raise ActionError("There is no signed IPA waiting to be countersigned.")
    if start is None:
        raise ValidationError({"start": "Enter the start date agreed with the provider"})
    if start < now.astimezone(LONDON).date():
        raise ValidationError({"start": "The start date must be today or in the future"})


def do_countersign(
    user: User, package: Package, start: date | None, now: datetime
) -> PlacementDocument:
    """Countersign the latest signed IPA: the start recorded through the engine, the stamped
    copy kept and sent back to the provider, who did it and when on the timeline."""
    check_countersign(user, package, start, now)
    assert start is not None and package.awarded_provider is not None
    winner = package.awarded_provider
    with transaction.atomic():
        signed = to_countersign(package)
        if signed is None:  # another broker countersigned it a moment ago
            raise ActionError("There is no signed IPA waiting to be countersigned.")
        first = not package.timeline.filter(
            type=EventType.PLACEMENT_AGREEMENT_COUNTERSIGNED
        ).exists()
        if first:
            confirm = Answer(at=now, provider=str(winner.pk), action="confirm", start=start)
            outcome = runner.record_answer(package, confirm, now=now)
            if not outcome.counted:
                raise ActionError(f"Package {package.case_number}: not taken: {outcome.why}.")
        who = user.get_full_name() or user.get_username()
        lines = [
            f"Countersigned on behalf of {package.council.name}",
            f"By {who}",
            f"On {long_date(now)} at {now.astimezone(LONDON):%H:%M}",
            f"Start date: {long_date(start)}",
        ]
        content = PlacementDocument.objects.values_list("content", flat=True).get(pk=signed.pk)
        description = (
            f"({initials(package.person.name)} & {package.case_number}) "
            f"Countersigned IPA for {winner.name}"
        )
        file = DocumentFile(description, "pdf", PDF, stamped(bytes(content), lines))
        kept = keep_file(package, DocumentKind.COUNTERSIGNED_IPA, file, now=now, created_by=user)
        _audit(
            package,
            user,
            now,
            EventType.IPA_COUNTERSIGNED,
            start=start.isoformat(),
            file=kept.filename,
            signed=signed.filename,
        )
        notify(
            package,
            str(winner.pk),
            NoticeKind.IPA_COUNTERSIGNED,
            f"{NoticeKind.IPA_COUNTERSIGNED}:{package.case_number}:{winner.pk}:{kept.pk}",
            {"start": start, "countersigned": kept.pk},
            now,
        )
    return kept


def countersigned_papers(
    package: Package, to: str, context: Mapping[str, Any], now: datetime
) -> list[Attachment]:
    """The countersigned copy with its notice, to the winner only (docs/policies.md §6.2)."""
    if not is_whole_number(to) or int(to) != package.awarded_provider_id:
        return []
    found = PlacementDocument.objects.filter(
        package=package, kind=DocumentKind.COUNTERSIGNED_IPA, pk=context.get("countersigned")
    ).first()
    return [(found.filename, bytes(found.content), found.content_type)] if found else []


def _audit(row: Package, user: User, now: datetime, type_: str, **details: object) -> None:
    TimelineEvent.objects.create(
        package=row,
        at=now,
        type=type_,
        details=details,
        source=EventSource.COUNCIL if user.role != Role.PROVIDER else EventSource.PROVIDER,
        actor=user.get_username(),
    )
