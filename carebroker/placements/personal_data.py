"""Personal data under UK GDPR: retention, subject access, erasure (issue 12).

- **Retention** (storage limitation): a person whose packages have all ended (closed,
  cancelled, unfilled or returned, or awarded with the placement ended) is
  anonymised once `Council.retention_years` (7 by default: the usual period for adult
  social care records) have passed since the last thing that happened to those packages.
  `retention(now, dry_run=True)` lists who would be anonymised and changes nothing; the
  worker's duty `retention_duty` does it (`carebroker retention`).
- **Erasure** (`erase_person`): the person's record is anonymised in place, not deleted, so
  the statistics stay (packages, requests, rates, times, statuses, areas, hours): the
  name becomes "Erased person N", the date of birth keeps its year only, the address its
  postcode district; relations, contacts, telephone numbers and needs go; the provider view
  is made again from what is left; every placement document's content, every notice's
  text and attachment, the free text on the timeline (questions, answers, reasons typed
  by people) and the engine's copy of the record are removed. The timeline is otherwise
  append-only (docs/architecture.md §5): erasure is the one rewrite the law requires.
  Beyond the packages: every provider email reply about the person (`InboundReply`: one
  whose answers or text name one of the person's Mosaic IDs) loses its subject and text,
  keeping who sent it, when and the answers read (the statistics); every EHM return loses
  the person's per-package visit counts, keeping its totals (the KPI and the weighted award
  read only those).
- **Subject access** (`subject_access_zip`): everything held about a person in one zip,
  `person.json` (with those email replies and EHM visit counts: `add_holder`) and the
  documents under
  `documents/`.

Each export and erasure is written on the person's packages' timelines (who, when).
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max, Q

from carebroker.councils.models import Council
from carebroker.engine.provider_view import partial_postcode
from carebroker.outbox.models import Notice, NoticeAttachment
from carebroker.placements.models import PlacementDocument
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing import snapshot
from carebroker.sourcing.market_db import person_record, view_of
from carebroker.sourcing.models import (
    EventSource,
    Package,
    PackageStatus,
    SourcingRequest,
    TimelineEvent,
)

logger = logging.getLogger(__name__)

ENDED = (
    PackageStatus.CLOSED,
    PackageStatus.CANCELLED,
    PackageStatus.UNFILLED,
    PackageStatus.RETURNED,
)
# Timeline detail keys holding what people typed (a question, an answer, a reason).
FREE_TEXT_KEYS = ("text", "question", "asked", "answer", "shared", "reason", "override_reason")
ERASED = "(erased)"


@dataclass(frozen=True)
class Due:
    """A person whose personal data is past the council's retention period at `now`."""

    person: Person
    ended_at: datetime
    erase_from: datetime


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class Holder:
    """Personal data kept by a higher layer about a person's packages (exchange: email
    replies, EHM returns), found by the packages' Mosaic IDs. Told here by that app's
    AppConfig.ready (docs/architecture.md §3: a lower layer is told by a higher one)."""

    key: str  # its section of person.json
    export: Callable[[int, list[str]], list[dict[str, Any]]]  # (council id, Mosaic IDs)
    erase: Callable[[int, list[str]], None]


_HOLDERS: dict[str, Holder] = {}


def add_holder(holder: Holder) -> None:
    _HOLDERS[holder.key] = holder


def _placement_ended(package: Package) -> bool:
    """An awarded package whose placement ended (engine/placement.py: it stays awarded)."""
    return package.timeline.filter(type="placement_ended", at__gte=package.awarded_at).exists()


def ended_at(person: Person) -> datetime | None:
    """When the last of the person's packages ended; None while any still runs (or none)."""
    packages = list(Package.objects.filter(person=person))
    if not packages or any(
        p.status not in ENDED
        and not (p.status == PackageStatus.AWARDED and p.awarded_at and _placement_ended(p))
        for p in packages
    ):
        return None
    last = TimelineEvent.objects.filter(package__person=person).aggregate(at=Max("at"))["at"]
    if last is not None:  # the last thing that happened: the end, a cancel, a return
        return last
    return Referral.objects.filter(person=person).aggregate(at=Max("received_at"))["at"]


def due_for_erasure(now: datetime, council: Council | None = None) -> list[Due]:
    """Everyone past their council's retention period at `now`, not yet erased: one query
    per council (the worker runs this every sweep), then each candidate checked exactly."""
    councils = [council] if council is not None else list(Council.objects.all())
    due = []
    for each in councils:
        # Anything that happened after this is within the period (a year back for 29 Feb).
        cutoff = _years_after(now, -each.retention_years)
        candidates = (
            Person.objects.filter(council=each, erased_at__isnull=True, packages__isnull=False)
            .exclude(
                packages__status__in=[
                    s for s in PackageStatus if s not in ENDED and s != PackageStatus.AWARDED
                ]
            )
            .annotate(last=Max("packages__timeline__at"))
            .filter(Q(last__lte=cutoff) | Q(last__isnull=True))
            .distinct()
            .order_by("pk")
        )
        for person in candidates:
            ended = ended_at(person)
            if ended is None:
                continue
            erase_from = _years_after(ended, each.retention_years)
            if erase_from <= now:
                due.append(Due(person, ended, erase_from))
    return due


def retention(now: datetime, *, dry_run: bool, council: Council | None = None) -> list[str]:
    """Anonymise everyone past the retention period (or, `dry_run`, only say who)."""
    lines = []
    for due in due_for_erasure(now, council):
        person = due.person
        what = (
            f"{person.council.name}: person {person.pk} "
            f"({', '.join(p.case_number for p in person.packages.all())}), "
            f"ended {due.ended_at:%d %B %Y}, past {person.council.retention_years} years"
        )
        if dry_run:
            lines.append(f"would anonymise {what}")
        else:
            erase_person(person, now, by="retention", why="retention period passed")
            lines.append(f"anonymised {what}")
    return lines


def retention_duty(now: datetime) -> list[str]:
    """The worker's duty: the retention policy of every council, applied at `now`."""
    return [f"retention: {line}" for line in retention(now, dry_run=False)]


def erase_person(person: Person, now: datetime, *, by: str, why: str) -> None:
    """Anonymise the person and everything written from their record (see the module)."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.name = f"Erased person {person.pk}"
        person.date_of_birth = person.date_of_birth.replace(month=1, day=1)
        district = (partial_postcode(person.postcode) or "").split(" ")[0]
        person.address = ""
        person.town = ""
        person.postcode = district
        person.phone = ""
        person.relations = []
        person.allocated_worker = ""
        person.principal_contact = ""
        person.principal_contact_phone = ""
        person.needs = ""
        person.erased_at = now
        person.save()
        Referral.objects.filter(person=person).update(returned_reason="")
        packages = list(Package.objects.filter(person=person))
        record = person_record(person)
        for package in packages:
            package.redact_words = []
            package.provider_view = view_of(person)
            if package.engine_state is not None:
                # The engine's copy of the full record, inside its snapshot.
                state = snapshot.load(package.engine_state)
                state = replace(state, package=replace(state.package, person=record))
                package.engine_state = snapshot.dump(state)
            package.save(update_fields=["redact_words", "provider_view", "engine_state"])
            for event in TimelineEvent.objects.filter(package=package):
                details = dict(event.details or {})
                if any(details.get(key) for key in FREE_TEXT_KEYS):
                    for key in FREE_TEXT_KEYS:
                        if details.get(key):
                            details[key] = ERASED
                    # Append-only but for this: the law requires the text to go.
                    TimelineEvent.objects.filter(pk=event.pk).update(details=details)
        SourcingRequest.objects.filter(package__in=packages).update(reason="")
        for document in PlacementDocument.objects.filter(package__in=packages):
            PlacementDocument.objects.filter(pk=document.pk).update(
                content=b"",
                content_type="text/plain",
                filename=f"erased document {document.pk}",
                encrypted=False,
                password="",
            )
        notices = Notice.objects.filter(package__in=packages)
        NoticeAttachment.objects.filter(notice__in=notices).update(content=b"")
        notices.update(body=ERASED, html="")
        cases = [package.case_number for package in packages]
        for holder in _HOLDERS.values():
            holder.erase(person.council_id, cases)
        for package in packages:
            TimelineEvent.objects.create(
                package=package,
                at=now,
                type="personal_data_erased",
                details={"reason": why},
                source=EventSource.COUNCIL,
                actor=by,
            )
    logger.info("personal data of person %s erased by %s: %s", person.pk, by, why)


def _safe_name(name: str) -> str:
    """A zip member name from a stored filename: never a path (no folders, no dots first)."""
    return re.sub(r"[^A-Za-z0-9 ._()-]", "_", name).lstrip(". ") or "document"


def subject_access_zip(person: Person, now: datetime, *, by: str) -> bytes:
    """Everything held about `person`: person.json and every document, in one zip."""
    packages = list(Package.objects.filter(person=person).select_related("area"))
    documents = list(PlacementDocument.objects.filter(package__in=packages).order_by("pk"))
    cases = [package.case_number for package in packages]
    held: dict[str, Any] = {
        "exported_at": now,
        "council": person.council.name,
        "person": {
            field.name: getattr(person, field.name)
            for field in Person._meta.concrete_fields
            if field.name not in ("council",)
        },
        "referrals": list(
            Referral.objects.filter(person=person)
            .order_by("pk")
            .values(
                "id",
                "received_at",
                "documents",
                "status",
                "missing",
                "returned_reason",
                "accepted_at",
                "known_to_team",
                "from_enablement",
                "risk",
                "times_stipulated",
                "bypassed_enablement",
            )
        ),  # fmt: skip
        "packages": [
            {
                "mosaic_id": package.case_number,
                "area": package.area.name,
                "hours_per_week": package.hours_per_week,
                "preferred_start": package.preferred_start,
                "status": package.get_status_display(),
                "awarded_provider": str(package.awarded_provider or "") or None,
                "awarded_at": package.awarded_at,
                "what_providers_saw": package.provider_view,
                "words_removed_for_providers": package.redact_words,
                "requests": list(
                    package.requests.order_by("seq").values(
                        "provider__name",
                        "stage",
                        "round",
                        "sent_at",
                        "deadline",
                        "outcome",
                        "responded_at",
                        "rate",
                        "start",
                        "reason",
                    )
                ),  # fmt: skip
                "timeline": list(
                    package.timeline.order_by("at", "pk").values("at", "type", "details", "actor")
                ),
                "emails": list(
                    Notice.objects.filter(package=package)
                    .order_by("created_at", "pk")
                    .values("created_at", "to", "cc", "subject", "body", "status", "sent_at")
                ),
            }
            for package in packages
        ],
        "documents": [
            {
                "file": f"documents/{doc.pk} {_safe_name(doc.filename)}",
                "kind": doc.kind,
                "made_at": doc.created_at,
                "for_provider": str(doc.provider or "") or None,
            }
            for doc in documents
        ],  # fmt: skip
        **{key: holder.export(person.council_id, cases) for key, holder in _HOLDERS.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "person.json", json.dumps(held, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for doc in documents:
            archive.writestr(f"documents/{doc.pk} {_safe_name(doc.filename)}", bytes(doc.content))
    with transaction.atomic():
        for package in packages:
            TimelineEvent.objects.create(
                package=package,
                at=now,
                type="personal_data_exported",
                details={},
                source=EventSource.COUNCIL,
                actor=by,
            )
    logger.info("subject access export of person %s by %s", person.pk, by)
    return buffer.getvalue()
