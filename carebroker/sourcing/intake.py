"""Referral intake (docs/policies.md §5.1, §6.1): check a referral, return it or start sourcing.

    do_receive_referral(user, form, now)           # a checked ReferralForm saved as received
    check_referral(user, referral)                 # may this user submit it? is it well formed?
    do_submit_referral(referral, now)              # checked against the council's policy
    do_resubmit_referral(referral, documents, now) # a returned one, corrected, checked again

The check itself is the engine's (`ReferralCheck.missing`, the same rule `simulate` runs):
an incomplete referral goes back to the referrer with the standard message naming exactly
the missing documents (Leicestershire: the manager copied), and the notice is queued in
the same transaction as the status change. A complete one is accepted and each of its
packages enters sourcing with its provider view made from the full record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.referrals.models import Document, Person, Referral, ReferralStatus
from carebroker.sourcing import runner
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package
from carebroker.sourcing.referral_form import ReferralForm

# Who may submit a referral (docs/architecture.md §8): referrers their own; the
# brokerage team and integrations any of their council's.
SUBMITTERS = (Role.REFERRER, Role.BROKER, Role.MANAGER, Role.INTEGRATION)


@dataclass(frozen=True)
class IntakeResult:
    """What the check found: accepted, or returned with exactly what is missing."""

    status: str
    missing: tuple[str, ...]
    packages: tuple[str, ...]  # Mosaic IDs now in sourcing (accepted) or returned


def missing_documents(referral: Referral) -> list[str]:
    """The documents the council's policy requires of this referral and it lacks, in order."""
    check = policy_of(referral.council).referral
    flags = {flag for flag in _FLAGS if getattr(referral, flag)}
    return check.missing(set(referral.documents or ()), flags)


_FLAGS = ("known_to_team", "from_enablement", "risk", "times_stipulated", "bypassed_enablement")
# (self_funder is no document flag: the referral check never asks for a paper because of it)


def check_referral(user: User, referral: Referral) -> None:
    """PermissionDenied unless `user` may submit `referral`; ValidationError for a bad one."""
    if user.council_id != referral.council_id or user.role not in SUBMITTERS:
        raise PermissionDenied("Only the council's referrers, brokers and managers may submit.")
    if user.role == Role.REFERRER and referral.referrer_id not in (None, user.pk):
        raise PermissionDenied("A referrer may submit only their own referrals.")
    referral.full_clean()  # unknown document names, another council's person: named by field
    if not referral.packages.exists():
        raise ValidationError({"packages": "The referral has no package to source."})


def do_receive_referral(user: User, form: ReferralForm, now: datetime) -> Referral:
    """Save a valid referral form as received: the person's full record, the referral and
    its package, all or nothing. The web page and the API both come in here; a broker's
    check (`do_submit_referral`) then runs the council's policy on it."""
    council = user.council
    if not form.is_valid() or form.area is None:
        raise ValidationError("The referral form is not valid.")
    with transaction.atomic():
        person = Person(council=council, **form.person_fields())
        person.full_clean()
        person.save()
        referral = Referral(
            council=council,
            person=person,
            referrer=user,  # who sent it: a referrer, or the council's integration
            received_at=now,
            **form.referral_fields(),
        )
        referral.full_clean()
        referral.save()
        package = Package(
            council=council, referral=referral, person=person, area=form.area,
            **form.package_fields(),
        )  # fmt: skip
        package.full_clean()
        package.save()
        check_referral(user, referral)
    return referral


def do_submit_referral(referral: Referral, now: datetime) -> IntakeResult:
    """Check the referral against the policy; return it or start sourcing its packages."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status == ReferralStatus.ACCEPTED:
            raise ValidationError({"status": "The referral was already accepted."})
        cases = []
        for package in Package.objects.filter(referral=referral).order_by("pk"):
            runner.do_referral(package, now)
            cases.append(package.case_number)
        if not cases:
            raise ValidationError({"packages": "The referral has no package to source."})
        referral.refresh_from_db()
        return IntakeResult(referral.status, tuple(referral.missing), tuple(cases))


def do_resubmit_referral(
    referral: Referral, documents: Iterable[str], now: datetime
) -> IntakeResult:
    """A returned referral sent again with `documents` (all it now carries): checked again."""
    names = list(dict.fromkeys(documents))
    unknown = [name for name in names if name not in Document.values]
    if unknown:
        raise ValidationError(
            {"documents": f"Unknown documents {', '.join(map(repr, unknown))}; "
             f"known: {', '.join(Document.values)}."}
        )  # fmt: skip
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != ReferralStatus.RETURNED:
            raise ValidationError(
                {"status": f"Only a returned referral can be resubmitted; this one is "
                 f"{locked.get_status_display().lower()}."}
            )  # fmt: skip
        locked.documents = names
        locked.status = ReferralStatus.RECEIVED
        locked.save(update_fields=["documents", "status"])
        return do_submit_referral(locked, now)
