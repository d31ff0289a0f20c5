"""Who may open a portal page, and the object loaders that carry the permission check.

Only a provider user of a council, linked to a provider of that same council, may use the
portal (docs/architecture.md §8); anyone else signed in gets 403, a visitor the sign-in
page. Objects are loaded only through the `_get_*_for_provider` loaders, which filter by
the user's own provider and council: another provider's request or document is a 404, so
its existence is not told either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from carebroker.accounts.models import Role, User
from carebroker.outbox.models import NoticeAttachment, NoticeKind
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest, TimelineEvent

View = Callable[..., HttpResponse]

# Documents a provider gets whether or not it wins (placements/documents/store.py
# _FOR_PROVIDER); the rest (confirmation form, SDO, IPA) carry the full record and go to
# the winner only (docs/policies.md §6.2: the full record returns only to the winner).
SENT_TO_ANY_PROVIDER = (DocumentKind.ISP, DocumentKind.DECLINE_NOTICE, DocumentKind.NOT_CHOSEN)


def provider_required(view: View) -> View:
    """Signed in (else the sign-in page) as an active provider user of a council (else 403)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            not isinstance(user, User)
            or not user.is_active
            or user.role != Role.PROVIDER
            or user.council_id is None
            or user.provider_id is None
        ):
            raise PermissionDenied("Only provider users can open the provider portal.")
        return view(request, *args, **kwargs)

    return login_required(checked)


def the_provider(user: User) -> Provider:
    """The user's own provider, only if it belongs to the user's council (else 403)."""
    # With its council: the pages read its policy (one query, not one per use).
    provider = (
        Provider.objects.filter(pk=user.provider_id, council_id=user.council_id)
        .select_related("council")
        .first()
    )
    if provider is None:
        raise PermissionDenied("Your account is not linked to a provider of your council.")
    return provider


def requests_for_provider(user: User) -> QuerySet[SourcingRequest]:
    """Every request sent to the user's provider in the user's council, with its package
    (never its person: the page shows the stored provider view only) and area."""
    return (
        SourcingRequest.objects.filter(
            provider_id=user.provider_id, package__council_id=user.council_id
        )
        .select_related("package", "package__area", "package__council")
        .defer("package__engine_state")  # a large snapshot no portal page reads
    )


def _get_request_for_provider(user: User, pk: int) -> SourcingRequest:
    """One request sent to the user's provider; 404 for anything not ours."""
    found = requests_for_provider(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such request was sent to your organisation.")
    return found


def documents_for_provider(user: User) -> QuerySet[PlacementDocument]:
    """Documents addressed to the user's provider; those with the full record only while
    the provider holds the award."""
    return (
        _documents(user)
        .select_related("package", "password_shown_to")
        # The ISP passwords stay sealed on a list: each is unsealed only when shown.
        .defer("content", "password", "package__engine_state")
        .order_by("-created_at", "-pk")
    )


def _documents(user: User) -> QuerySet[PlacementDocument]:
    # The full record only while the placement runs: once the package is no longer awarded
    # (closed, handed back, cancelled) the provider keeps only what any provider got
    # (UK GDPR: provider users never hold full records after their placement ends).
    holds_award = Q(
        package__awarded_provider_id=user.provider_id, package__status=PackageStatus.AWARDED
    ) & ~Q(package__in=ended_placements())
    return PlacementDocument.objects.filter(
        council_id=user.council_id, provider_id=user.provider_id
    ).filter(Q(kind__in=SENT_TO_ANY_PROVIDER) | holds_award)


def _get_document_for_provider(user: User, pk: int) -> PlacementDocument:
    """One document for the user's provider, with its content; 404 for anything else."""
    found = _documents(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such document was sent to your organisation.")
    return found


def batch_reports_for_provider(user: User) -> QuerySet[NoticeAttachment]:
    """The batch report workbooks sent to the user's provider, newest first. A batch
    notice's key names its provider ("batch_report:<provider>:<area>:<batch>",
    exchange/provider_lists.py), so the trailing colon keeps provider 1 from matching 12."""
    return (
        NoticeAttachment.objects.filter(
            notice__council_id=user.council_id,
            notice__kind=NoticeKind.BATCH_REPORT,
            notice__key__startswith=f"batch_report:{user.provider_id}:",
        )
        .select_related("notice")
        .defer("content")
        .order_by("-notice__created_at", "-pk")
    )


def _get_batch_report_for_provider(user: User, pk: int) -> NoticeAttachment:
    """One batch report workbook sent to the user's provider; 404 for anything else."""
    found = batch_reports_for_provider(user).defer(None).filter(pk=pk).first()
    if found is None:
        raise Http404("No such batch report was sent to your organisation.")
    return found


def ended_placements() -> QuerySet[Package]:
    """Awarded packages whose placement has ended (engine/placement.py: the status stays
    awarded, a `placement_ended` event after the award says so)."""
    ended = TimelineEvent.objects.filter(
        package=OuterRef("pk"), type="placement_ended", at__gte=OuterRef("awarded_at")
    )
    return Package.objects.filter(status=PackageStatus.AWARDED).filter(Exists(ended))


def _get_awarded_package_for_provider(user: User, case_number: str) -> Package:
    """A package awarded to the user's provider, by its Mosaic ID, while its placement runs;
    404 for any other (one awarded to another provider, not awarded, of another council,
    or one whose placement ended: UK GDPR, no full record after the placement)."""
    found = (
        Package.objects.filter(
            council_id=user.council_id,
            awarded_provider_id=user.provider_id,
            case_number=case_number,
            status=PackageStatus.AWARDED,
        )
        .exclude(pk__in=ended_placements())
        .select_related("council", "person", "awarded_provider")
        .defer("engine_state")
        .first()
    )
    if found is None:
        raise Http404("No such package was awarded to your organisation.")
    return found
