"""Make a document for a package and keep it with the package; list a package's documents.

    make_document(package, "isp", now=now, provider=provider)  -> [PlacementDocument]
    keep_signed_ipa(package, content, "pdf", now=now)          -> PlacementDocument
    documents_for(package)                                     -> its documents, oldest first

Every file is named "YYYY MM DD description.ext" (placements/naming.py); a second run on
the same day adds " (2)" rather than replacing a file that may have been sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from carebroker.accounts.models import User
from carebroker.engine.provider_view import initials
from carebroker.lib.zipcheck import zip_problem
from carebroker.placements.documents import commencement, confirmation, ipa, isp, messages, sdo
from carebroker.placements.documents.facts import DocumentRefused, require_winner
from carebroker.placements.documents.rendering import DOCX, PDF, DocumentFile
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.placements.naming import document_name, unclashing
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package

Build = Callable[..., list[DocumentFile]]


@dataclass(frozen=True)
class Builder:
    """How one kind of document is made, and the options it takes beyond the package."""

    build: Build
    options: tuple[str, ...]


BUILDERS: Mapping[str, Builder] = {
    DocumentKind.ISP: Builder(isp.build, isp.OPTIONS),
    DocumentKind.CONFIRMATION_FORM: Builder(confirmation.build, confirmation.OPTIONS),
    DocumentKind.SERVICE_DELIVERY_ORDER: Builder(sdo.build, sdo.OPTIONS),
    DocumentKind.IPA: Builder(ipa.build, ipa.OPTIONS),
    DocumentKind.COMMENCEMENT_LETTER: Builder(commencement.build, commencement.OPTIONS),
    DocumentKind.MISSING_INFORMATION: Builder(
        messages.build_missing_information, messages.MISSING_OPTIONS
    ),
    DocumentKind.DECLINE_NOTICE: Builder(messages.build_decline_notice, messages.DECLINE_OPTIONS),
    DocumentKind.NOT_CHOSEN: Builder(messages.build_not_chosen, messages.NOT_CHOSEN_OPTIONS),
}


def make_document(
    package: Package,
    kind: str,
    *,
    now: datetime,
    provider: Provider | None = None,
    created_by: User | None = None,
    **options: Any,
) -> list[PlacementDocument]:
    """Make the `kind` document(s) for `package` (and `provider`) and store them with it.

    Raise DocumentRefused, naming the field, when it cannot be made; nothing is stored then.
    """
    builder = BUILDERS.get(kind)
    if builder is None:
        raise DocumentRefused(f"kind: unknown document {kind!r}; known: {', '.join(BUILDERS)}")
    unknown = sorted(set(options) - set(builder.options))
    if unknown:
        known = ", ".join(builder.options) or "none"
        raise DocumentRefused(f"{unknown[0]}: not an option of the {kind} document; known: {known}")
    if created_by is not None and created_by.council_id not in (None, package.council_id):
        raise DocumentRefused(f"created_by: {created_by} works for another council")
    files = builder.build(package, provider, now, **options)
    with transaction.atomic():
        # Lock the package: two runs at once must not both take the same " (2)" name.
        Package.objects.select_for_update().filter(pk=package.pk).first()
        return [_keep(package, kind, provider, now, created_by, file) for file in files]


def _keep(
    package: Package,
    kind: str,
    provider: Provider | None,
    now: datetime,
    created_by: User | None,
    file: DocumentFile,
) -> PlacementDocument:
    taken = set(
        PlacementDocument.objects.filter(package=package).values_list("filename", flat=True)
    )
    return PlacementDocument.objects.create(
        council_id=package.council_id,
        package=package,
        provider=provider if kind in _FOR_PROVIDER else package.awarded_provider,
        kind=kind,
        filename=unclashing(document_name(now, file.description, file.extension), taken),
        content_type=file.content_type,
        content=file.content,
        encrypted=file.encrypted,
        password=file.password,
        created_at=now,
        created_by=created_by,
    )


_FOR_PROVIDER = {DocumentKind.ISP, DocumentKind.DECLINE_NOTICE, DocumentKind.NOT_CHOSEN}


def keep_signed_ipa(
    package: Package,
    content: bytes,
    extension: str,
    *,
    now: datetime,
    created_by: User | None = None,
) -> PlacementDocument:
    """Keep the IPA the winner returned signed (seed 004 step 24): "YYYY MM DD (A.L. &
    M1001) Signed IPA for Alder Homecare.pdf"."""
    winner = require_winner(package, None)
    kinds = {"pdf": (PDF, b"%PDF-"), "docx": (DOCX, b"PK")}
    if extension not in kinds:
        raise DocumentRefused(f"extension: {extension!r}; a signed IPA is a pdf or a docx")
    content_type, magic = kinds[extension]
    if not content.startswith(magic):
        raise DocumentRefused(f"content: not a {extension} file (it does not start as one)")
    if extension == "docx" and (problem := zip_problem(content, f"signed IPA.{extension}")):
        raise DocumentRefused(f"content: {problem}")  # a zip bomb (issue 12 finding 1)
    description = f"({initials(package.person.name)} & {package.case_number}) Signed IPA for "
    file = DocumentFile(description + winner.name, extension, content_type, content)
    with transaction.atomic():
        Package.objects.select_for_update().filter(pk=package.pk).first()
        return _keep(package, DocumentKind.SIGNED_IPA, None, now, created_by, file)


def keep_file(
    package: Package,
    kind: str,
    file: DocumentFile,
    *,
    now: datetime,
    created_by: User | None = None,
) -> PlacementDocument:
    """Keep a file made outside the builders (a countersigned IPA, placements/ipa_loop.py)
    with the package, named like the rest and never replacing one kept before."""
    with transaction.atomic():
        Package.objects.select_for_update().filter(pk=package.pk).first()
        return _keep(package, kind, None, now, created_by, file)


def documents_for(package: Package) -> QuerySet[PlacementDocument]:
    """The package's documents, oldest first (without their content: list pages need names)."""
    return PlacementDocument.objects.filter(package=package).defer("content")
