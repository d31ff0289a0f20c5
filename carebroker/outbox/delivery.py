"""Delivering the outbox: claim due notices, send each once, retry failures with backoff.

`deliver_due(now, worker_id=...)` is one pass, run by `carebroker worker` every sweep:

1. **Claim** up to `limit` due notices (pending with `next_attempt_at <= now`, or sending
   with an expired lease: a worker died holding them) in one short transaction, by setting
   status `sending`, a lease (`claimed_until`) and a claim token (`claimed_by`). On
   PostgreSQL the rows are picked with `SELECT ... FOR UPDATE SKIP LOCKED`; SQLite has no
   row locks, so the claim is a conditional UPDATE that only takes rows still due (and
   settings.py opens SQLite transactions IMMEDIATE, which serialises claims as well); the
   worker then sends only the rows that carry its own token. Either way two workers never
   hold the same notice.
2. **Send** each claimed notice through Django's default mailer (MAILERS), with a
   Message-ID made from the notice's council and key, then mark it sent (only while the
   claim is still ours). A failure is recorded (attempts, last_error) and retried after
   1, 2, 4, 8 ... minutes, at most an hour; after MAX_ATTEMPTS the notice is `failed` and
   reported for a person to look at.

Exactly once, and the one window where it is not: a notice is marked sent in its own
statement right after the SMTP server accepted it. If the worker dies in between (killed,
power lost, the database unreachable at that instant), the row is still `sending`; when
its lease expires another worker sends it again. The receiver then gets a second copy
with the same Message-ID, which mail systems and people can use to discard it. No outbox
can close this window without the receiving server's cooperation; the deterministic
Message-ID is the mitigation. Every other crash (before the claim, after the claim but
before sending) loses nothing and sends nothing twice.

A worker that is alive but slow must not outlive its lease: sending stops once half of
LEASE has passed (measured with the monotonic clock) and the rest are released.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Case, F, PositiveIntegerField, Q, When

from carebroker.outbox.models import Notice, NoticeStatus
from carebroker.outbox.reply_address import reply_address

__all__ = ["LEASE", "MAX_ATTEMPTS", "DeliveryReport", "backoff", "deliver_due", "message_id"]

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
# Test hook for the crash tests: "after_claim" or "after_send" ends the process (os._exit)
# at that point, as a kill or a power cut would.
CRASH_ENV = "CAREBROKER_OUTBOX_CRASH"


@dataclass
class DeliveryReport:
    """What one pass did: keys sent, retrying (key, error), failed for good (key, error)."""

    sent: list[str] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    released: int = 0

    def lines(self) -> list[str]:
        """One line per outcome, for the worker's output; empty when nothing was due."""
        lines = []
        if self.sent:
            lines.append(f"outbox: sent {len(self.sent)} notice(s)")
        lines += [f"outbox: {key} failed, will retry: {error}" for key, error in self.retrying]
        lines += [
            f"outbox: {key} FAILED after {MAX_ATTEMPTS} attempts: {error}"
            for key, error in self.failed
        ]
        if self.released:
            lines.append(f"outbox: {self.released} notice(s) left for the next sweep")
        return lines


def backoff(attempts: int) -> timedelta:
    """The wait after the given number of failed attempts: 1, 2, 4, 8 ... minutes, at most 1 h."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def message_id(notice: Notice) -> str:
    """The same Message-ID for every copy of a notice, so a receiver can drop a resent one."""
    digest = hashlib.sha256(f"{notice.council_id}:{notice.key}".encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "carebroker"
    return f"<notice.{digest}@{domain}>"


def deliver_due(now: datetime, *, limit: int = 100, worker_id: str) -> DeliveryReport:
    """Claim and send the notices due at `now` (see the module docstring)."""
    token = f"{worker_id}:{uuid.uuid4().hex[:12]}"[:100]
    claimed = _claim(now, limit, token)
    report = DeliveryReport()
    if not claimed:
        return report
    _crash_if("after_claim")
    started = monotonic()
    mailer = mail.mailers.default
    try:
        for index, notice in enumerate(claimed):
            if monotonic() - started > LEASE.total_seconds() / 2:
                report.released = _release(claimed[index:], token)
                break
            if notice.attempts >= MAX_ATTEMPTS:
                # Its last attempts died with their workers (a crash, or a lease run out).
                _failed(notice, token, now, "abandoned by workers that stopped", report)
                continue
            try:
                mailer.open()  # once per pass; again after a failure closed it
                mailer.send_messages([_email(notice)])
            except Exception as error:  # any failure of one notice must not stop the others
                logger.warning("notice %s not sent: %s", notice.key, error)
                _close_quietly(mailer)
                _failed(notice, token, now, f"{type(error).__name__}: {error}", report)
                continue
            _crash_if("after_send")
            _sent(notice, token, now, report)
    finally:
        _close_quietly(mailer)
    return report


def _claim(now: datetime, limit: int, token: str) -> list[Notice]:
    due = Q(status=NoticeStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=NoticeStatus.SENDING, claimed_until__lte=now
    )
    with transaction.atomic():
        candidates = Notice.objects.filter(due).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # Conditional: only rows still due become ours (SQLite has no row locks to skip).
        Notice.objects.filter(due, id__in=ids).update(
            status=NoticeStatus.SENDING,
            claimed_until=now + LEASE,
            claimed_by=token,
            # A lease that ran out was an attempt whose worker died: count it, so a notice
            # that kills every worker that sends it still ends as failed.
            attempts=Case(
                When(status=NoticeStatus.SENDING, then=F("attempts") + 1),
                default=F("attempts"),
                output_field=PositiveIntegerField(),
            ),
        )
    return list(
        Notice.objects.filter(claimed_by=token, status=NoticeStatus.SENDING).order_by(
            "next_attempt_at", "id"
        )
    )


def _email(notice: Notice) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.body,
        to=notice.to,
        cc=notice.cc,
        headers={"Message-ID": message_id(notice)},
        # Only this notice's recipients know the token: a reply is authenticated by it.
        reply_to=[reply_address(notice.pk)],
    )
    if notice.html:
        email.attach_alternative(notice.html, "text/html")
    for attachment in notice.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email


def _ours(notice: Notice, token: str) -> Any:
    return Notice.objects.filter(pk=notice.pk, claimed_by=token, status=NoticeStatus.SENDING)


def _sent(notice: Notice, token: str, now: datetime, report: DeliveryReport) -> None:
    marked = _ours(notice, token).update(
        status=NoticeStatus.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        claimed_until=None,
        last_error="",
    )
    if not marked:
        logger.error("notice %s was sent after its lease ran out", notice.key)
    report.sent.append(notice.key)


def _failed(notice: Notice, token: str, now: datetime, error: str, report: DeliveryReport) -> None:
    attempts = notice.attempts + 1
    final = attempts >= MAX_ATTEMPTS
    _ours(notice, token).update(
        status=NoticeStatus.FAILED if final else NoticeStatus.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now + backoff(attempts),
        claimed_until=None,
    )
    (report.failed if final else report.retrying).append((notice.key, error))


def _release(notices: list[Notice], token: str) -> int:
    return Notice.objects.filter(
        pk__in=[notice.pk for notice in notices], claimed_by=token, status=NoticeStatus.SENDING
    ).update(status=NoticeStatus.PENDING, claimed_until=None)


def _close_quietly(mailer: Any) -> None:
    try:
        mailer.close()
    except Exception:  # a connection already broken: nothing left to close
        logger.debug("closing the mailer failed", exc_info=True)


def _crash_if(point: str) -> None:
    if os.environ.get(CRASH_ENV) == point:
        os._exit(70)
