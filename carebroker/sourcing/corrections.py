"""Referrals corrected before sourcing starts (docs/policies.md §5.1, §6.1).

    check_return(user, referral)                         # may this user return it?
    do_return_referral(user, referral, reason, now)      # back to the referrer, with why
    do_correct_referral(user, referral, correction, now) # the referrer's corrected referral

A referrer may also correct hours, start date, needs and documents while the referral
waits for a broker's check (issue 10 item 8): it stays waiting. Once a broker has checked
it, it cannot be changed here: sourcing may already have sent its details to providers.

Kent and Leicestershire return a referral whose details are wrong or unclear (seed 004:
"anything missing, incorrect or not clear needs to be returned to the person that
completed it ... with manager copied in"); every council may. A referral returned with a
reason goes back to the brokers to check once corrected; one returned for missing
documents is checked again at once (`intake.do_resubmit_referral`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebroker.accounts.models import Role, User
from carebroker.outbox.models import NoticeKind
from carebroker.referrals.models import Document, Referral, ReferralStatus
from carebroker.sourcing.effects import notify
from carebroker.sourcing.intake import IntakeResult, check_referral, do_submit_referral
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import EventSource, Package, TimelineEvent

STAFF = (Role.BROKER, Role.MANAGER)
# A referral may be corrected until a broker's check accepts it.
CORRECTABLE = (ReferralStatus.RECEIVED, ReferralStatus.RETURNED)


@dataclass(frozen=True)
class Correction:
    """What the referrer changed; None leaves a value as it was."""

    documents: list[str] | None = None
    hours_per_week: Decimal | None = None
    preferred_start: date | None = None
    needs: str | None = None
    changed: list[str] = field(default_factory=list)


def check_return(user: User, referral: Referral) -> None:
    """PermissionDenied unless `user` is a broker or manager of the referral's council."""
    if user.council_id != referral.council_id or user.role not in STAFF:
        raise PermissionDenied("Only the council's brokers and managers may return a referral.")


def do_return_referral(user: User, referral: Referral, reason: str, now: datetime) -> Referral:
    """Return a referral not yet checked to its referrer, saying what is wrong or unclear;
    the referrer is told (Leicestershire: the manager copied, §6.1)."""
    check_return(user, referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter what is wrong or unclear in the referral."})
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != ReferralStatus.RECEIVED:
            raise ValidationError(
                {"status": "Only a referral waiting to be checked can be returned; this one "
                 f"is {locked.get_status_display().lower()}."}
            )  # fmt: skip
        locked.status = ReferralStatus.RETURNED
        locked.returned_reason = reason
        locked.missing = []
        locked.save(update_fields=["status", "returned_reason", "missing"])
        copy = "manager" if policy_of(locked.council).referral.copy_manager else None
        for package in Package.objects.filter(referral=locked).order_by("pk"):
            TimelineEvent.objects.create(
                package=package,
                at=now,
                type="referral_returned_with_reason",
                details={"reason": reason},
                source=EventSource.COUNCIL,
                actor=user.get_username(),
            )
            key = f"referral_returned:{package.case_number}:reason:{locked.pk}:{now.isoformat()}"
            context = {"missing": [], "reason": reason, "received_at": locked.received_at}
            notify(package, "referrer", NoticeKind.REFERRAL_RETURNED, key, context, now,
                   cc_role=copy)  # fmt: skip
    return locked


def do_correct_referral(
    user: User, referral: Referral, correction: Correction, now: datetime
) -> IntakeResult:
    """A referral corrected by its referrer (or a broker) before or after a broker's return.

    Waiting for a check: corrected in place, it still waits. Returned with a reason: it
    waits for a broker to check it again. Returned for missing documents: checked again at
    once against the policy. Checked (accepted): refused, naming why."""
    check_referral(user, referral)
    documents = None
    if correction.documents is not None:
        documents = list(dict.fromkeys(correction.documents))
        unknown = [name for name in documents if name not in Document.values]
        if unknown:
            raise ValidationError({"documents": f"Unknown documents {', '.join(unknown)}."})
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status not in CORRECTABLE:
            raise ValidationError(
                {"status": "A broker has already checked this referral, so it can no longer "
                 "be changed here: ask the brokerage team to change the hours, start date "
                 "or needs."}
            )  # fmt: skip
        waiting = locked.status == ReferralStatus.RECEIVED
        packages = list(Package.objects.select_for_update().filter(referral=locked))
        person = locked.person
        if correction.needs is not None and correction.needs.strip():
            person.needs = correction.needs.strip()
            person.full_clean()
            person.save(update_fields=["needs"])
        for package in packages:
            if correction.hours_per_week is not None:
                package.hours_per_week = correction.hours_per_week
            if correction.preferred_start is not None:
                package.preferred_start = correction.preferred_start
            package.full_clean()
            package.save(update_fields=["hours_per_week", "preferred_start"])
            if correction.changed:
                TimelineEvent.objects.create(
                    package=package,
                    at=now,
                    type="referral_corrected",
                    details={"changed": correction.changed},
                    source=EventSource.COUNCIL,
                    actor=user.get_username(),
                )
        if documents is not None:
            locked.documents = documents
        if waiting:  # not yet checked: corrected in place, still waiting for a broker
            locked.save(update_fields=["documents"])
            return IntakeResult(locked.status, (), tuple(p.case_number for p in packages))
        by_reason = bool(locked.returned_reason)
        locked.status = ReferralStatus.RECEIVED
        locked.returned_reason = ""
        locked.save(update_fields=["documents", "status", "returned_reason"])
        if by_reason:  # a broker asked: a broker checks it again
            cases = tuple(p.case_number for p in packages)
            return IntakeResult(locked.status, (), cases)
        return do_submit_referral(locked, now)
