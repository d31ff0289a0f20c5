"""Reading provider replies by email: record the answer when sure, else queue it for a broker.

`ReplyReader(council, now=...).handle(path)` reads one .eml, an mbox file, a Maildir, or a
directory of .eml files (stdlib `email` and `mailbox`). For each message:

1. **Once**: its Message-ID (or, without one, a digest of the message) is read once per
   council; the same email again is skipped (`InboundReply` is unique on it). The same
   Message-ID from another sender is read under a key of its own, so a forged or reused
   one cannot hide a real reply. The email is saved (queued, "being read") before it is
   parsed: one that stops the reader is never parsed again, a broker reads it.
2. **The provider** is the one whose contact has the sender's address (`Contact.email`),
   and the reply must have come to the reply address of a notice sent to that provider
   (`outbox/reply_address.py`: a per-notice token only its recipients know); else it
   is queued, never recorded (issue 12 finding 3: a From: header proves nothing).
3. **The cases**: words of the subject and of the reply's own text (quotes dropped,
   `reply_text.py`) that are Mosaic IDs of the council's packages.
4. **The answer** for each case (`reply_text.read_reply`) against the provider's latest
   request for that package: in a batch interest round, interest (or yes) is `interest`
   (§4.2); in an offer round, yes is a full offer (`accept` in a cascade) with its rate,
   "part" a part offer, "no" a decline with its code (§6.3).
5. **Sure**: every answer goes to the engine at the time the email arrived, through
   `runner.record_answer`, in one transaction with the `InboundReply`
   (status recorded). **Unsure** — unknown sender, no case number, several conflicting
   answers, a rate missing where the stage awards on price, no request to this provider,
   an answer the engine does not take, an unreadable email — nothing is recorded and the
   reply is queued with the reason and the original text.

An email never awards anything: at most it records an answer; the engine applies the
stage's rule. The arrival time is the topmost Received header's date (our own server's),
else the time it is read; never the sender's Date header, never later than `now`. HTML
is read by lxml's parser (linear time), at most `MAX_HTML` characters of it.
No IMAP poll: a mail system can deliver to a Maildir, which this reads.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from carebroker.councils.models import Council
from carebroker.engine.inputs import Answer
from carebroker.exchange.models import InboundReply, ReplyStatus
from carebroker.exchange.reply_text import CaseAnswer, html_text, read_reply, tokens, unquoted
from carebroker.exchange.sheets import ImportRefused
from carebroker.outbox.models import Notice
from carebroker.outbox.reply_address import notice_ids_in
from carebroker.providers.models import Contact
from carebroker.sourcing import runner
from carebroker.sourcing.market_db import policy_of
from carebroker.sourcing.models import Package, SourcingRequest

logger = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024
MAX_TEXT = 100_000
MAX_TOKENS = 5_000
MAX_HEAD = 256 * 1024
MAX_HTML = 2_000_000  # lxml reads HTML in linear time; this bounds that time per email


class Unsure(Exception):
    """Why a reply goes to the broker's queue instead of being recorded."""


@dataclass
class IngestReport:
    """What reading a file or mailbox did, one line per email."""

    recorded: int = 0
    queued: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)


class ReplyReader:
    """Read provider replies for `council` (see the module docstring)."""

    def __init__(self, council: Council, *, now: datetime) -> None:
        self.council = council
        self.now = now
        self.policy = policy_of(council)

    def handle(self, path: str | Path) -> IngestReport:
        report = IngestReport()
        for name, raw in _messages(Path(path)):
            status, why = self.read(raw)
            setattr(report, status, getattr(report, status) + 1)
            report.lines.append(f"{name}: {status}{': ' + why if why else ''}")
        return report

    def read(self, raw: bytes) -> tuple[str, str]:
        """Read one email: ("recorded" | "queued" | "skipped", why).

        The email is saved (queued, with its raw text) before it is parsed, so one that
        kills or stalls the reader is never read again: it waits for a broker."""
        message_id = _message_id(raw)
        sender = _sender_of(raw)
        earlier = InboundReply.objects.filter(council=self.council, message_id=message_id)
        if earlier.exists():
            if earlier.filter(sender=sender).exists() or not sender:
                return "skipped", "already read"
            # The same Message-ID from another sender (forged or reused) must not hide
            # this email: it is read under a key of its own (issue 12, low findings).
            message_id = f"{message_id[:260]}#{hashlib.sha256(raw).hexdigest()[:16]}"
            if InboundReply.objects.filter(council=self.council, message_id=message_id).exists():
                return "skipped", "already read"
        reply = InboundReply(
            council=self.council,
            message_id=message_id,
            sender=sender,
            read_at=self.now,
            received_at=self.now,
            status=ReplyStatus.QUEUED,
            reason="being read: still here means it could not be read; a broker must read it",
            text=_clean(raw[:MAX_TEXT].decode("utf-8", "replace")),
        )
        try:
            with transaction.atomic():
                reply.save()
        except IntegrityError:  # another reader saved the same email a moment ago
            return "skipped", "already read"
        try:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            self._headers(reply, message)
            body = _clean(_text_of(message))
            reply.text = body[:MAX_TEXT]
        except Exception as error:  # a broken email must reach a person, not stop the rest
            return self._queue(reply, f"unreadable email ({type(error).__name__})")
        try:
            with transaction.atomic():
                answers = self._answers(reply, body, message)
                reply.status = ReplyStatus.RECORDED
                reply.reason = ""
                reply.answers = answers
                reply.save()
            return "recorded", ", ".join(f"{a['case']} {a['action']}" for a in answers)
        except Unsure as unsure:
            return self._queue(reply, str(unsure))
        except Exception as error:  # rolled back; a person reads it rather than no one
            logger.exception("reply %s could not be read", message_id)
            return self._queue(reply, f"could not be read ({type(error).__name__}): see the text")

    # -- reading ------------------------------------------------------------------------

    def _headers(self, reply: InboundReply, message: EmailMessage) -> None:
        reply.subject = " ".join(_clean(str(message.get("Subject", ""))).split())[:300]
        reply.received_at = _arrived(message, self.now)

    def _answers(
        self, reply: InboundReply, body: str, message: EmailMessage
    ) -> list[dict[str, Any]]:
        provider_ids = (
            set(
                Contact.objects.filter(
                    provider__council=self.council, email__iexact=reply.sender
                ).values_list("provider_id", flat=True)
            )
            if reply.sender
            else set()
        )
        if not provider_ids:
            raise Unsure(f"unknown sender {reply.sender or '(none)'}: not a provider contact")
        if len(provider_ids) > 1:
            raise Unsure(f"the sender {reply.sender} is a contact of several providers")
        reply.provider_id = provider_ids.pop()
        self._authenticate(reply, message)
        words = tokens(reply.subject) | tokens(unquoted(body))
        if len(words) > MAX_TOKENS:
            raise Unsure("too long to read: a broker must read it")
        packages = {
            p.case_number: p
            for p in Package.objects.filter(
                council=self.council,
                case_number__in=list(words | {w.upper() for w in words}),
            )
        }
        if not packages:
            raise Unsure("no Mosaic ID of a package of this council in the email")
        read = read_reply(reply.subject, body, packages)
        plans = [self._plan(packages[case], read[case], reply) for case in sorted(packages)]
        for plan, package in ((p, packages[p["case"]]) for p in plans):
            self._record(package, plan, reply)
        return plans

    def _authenticate(self, reply: InboundReply, message: EmailMessage) -> None:
        """A From: header proves nothing: the reply must come back to the address of a
        notice we sent this provider (outbox/reply_address.py, issue 12 finding 3)."""
        addresses = " ".join(
            str(value)
            for header in ("To", "Cc", "Delivered-To", "X-Original-To")
            for value in (message.get_all(header) or [])
        )
        notice_ids = notice_ids_in(addresses)
        if not notice_ids:
            raise Unsure(
                "not sent to one of our reply addresses (no valid reply token): a broker must "
                "check it really came from the provider"
            )
        recipients = {
            address.lower()
            for to, cc in Notice.objects.filter(
                council=self.council, pk__in=notice_ids
            ).values_list("to", "cc")
            for address in [*to, *cc]
        }
        contacts = {
            address.lower()
            for address in Contact.objects.filter(provider_id=reply.provider_id).values_list(
                "email", flat=True
            )
        }
        if not contacts & recipients:
            raise Unsure(
                "the reply token is of a notice sent to another provider: a broker must check it"
            )

    def _plan(self, package: Package, read: CaseAnswer, reply: InboundReply) -> dict[str, Any]:
        """The answer to record for one case, or Unsure."""
        case = package.case_number
        request = (
            SourcingRequest.objects.filter(package=package, provider_id=reply.provider_id)
            .order_by("-seq")
            .first()
        )
        if request is None:
            raise Unsure(f"{case}: no request was sent to this provider")
        kinds = set(read.kinds)
        if not kinds:
            raise Unsure(f"{case}: no answer found (interest, yes, part or no)")
        if "decline" in kinds and kinds - {"decline"}:
            raise Unsure(f"{case}: several conflicting answers ({', '.join(sorted(kinds))})")
        if len(read.rates) > 1:
            raise Unsure(
                f"{case}: several rates ({', '.join(f'£{r}' for r in sorted(read.rates))})"
            )
        if len(read.codes) > 1:
            raise Unsure(f"{case}: several reason codes ({', '.join(sorted(read.codes))})")
        rate = next(iter(read.rates), None)
        stage = self.policy.stage(request.stage)
        plan: dict[str, Any] = {"case": case, "request": request.seq, "round": request.round}
        if "decline" in kinds:
            code = next(iter(read.codes), None)
            return plan | {"action": "decline", "reason": code or "declined by email"}
        if request.round == "interest":  # §4.2: any positive word asks for the ISP
            return plan | {"action": "interest"}
        if kinds == {"interest"}:
            raise Unsure(f"{case}: interest, but an offer or a decline is asked for now")
        coverage = "part" if "part" in kinds else "full"
        if coverage == "full" and rate is None and stage.award == "best_price":
            raise Unsure(f"{case}: a full offer without its hourly rate (the award is on price)")
        action = "accept" if stage.kind == "cascade" and coverage == "full" else "offer"
        return plan | {
            "action": action,
            "coverage": coverage,
            "rate": str(rate) if rate is not None else None,
        }

    def _record(self, package: Package, plan: dict[str, Any], reply: InboundReply) -> None:
        answer = Answer(
            at=reply.received_at,
            provider=str(reply.provider_id),
            action=plan["action"],
            coverage=plan.get("coverage"),
            rate=Decimal(plan["rate"]) if plan.get("rate") else None,
            reason=plan.get("reason"),
        )
        outcome = runner.record_answer(package.pk, answer, now=reply.received_at)
        if outcome.taken is runner.Taken.REFUSED:
            raise Unsure(f"{plan['case']}: the answer was not taken: {outcome.why}")
        plan["late"] = outcome.taken is runner.Taken.KEPT_LATE

    def _queue(self, reply: InboundReply, why: str) -> tuple[str, str]:
        reply.status = ReplyStatus.QUEUED
        reply.reason = why[:500]
        reply.answers = []
        with transaction.atomic():
            reply.save()
        return "queued", why


# -- the email file -----------------------------------------------------------------------


def _messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) of every email in a .eml file, an mbox, a Maildir or a folder."""
    if path.is_dir():
        if all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"{path.name}/{key}", box.get_bytes(key)
            return
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".eml")
        if not files:
            raise ImportRefused([f"{path}: no .eml files and not a Maildir"])
        for file in files:
            yield file.name, _read(file)
        return
    raw = _read(path)
    if raw.startswith(b"From "):
        box = mailbox.mbox(path, create=False)
        try:
            for key in box.iterkeys():
                yield f"{path.name}#{key + 1}", box.get_bytes(key)
        finally:
            box.close()
        return
    yield path.name, raw


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportRefused([f"{path.name}: larger than {MAX_BYTES} bytes"])
        raw = path.read_bytes()
    except OSError as error:
        raise ImportRefused([f"{path.name}: cannot read the file ({error.strerror})"]) from None
    if not raw.strip():
        raise ImportRefused([f"{path.name}: the file is empty"])
    return raw


def _message_id(raw: bytes) -> str:
    """The Message-ID header as written, else a digest of the whole message."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = re.search(rb"^message-id:[ \t]*(<[^>\r\n]{1,250}>)", head, re.IGNORECASE | re.MULTILINE)
    if found:
        return _clean(found.group(1).decode("ascii", "replace"))
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _sender_of(raw: bytes) -> str:
    """The From: address, lower case, read from the header block alone ("" when none)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:MAX_HEAD]
    try:
        message = email.message_from_bytes(head + b"\n\n", policy=email.policy.default)
        sender = parseaddr(str(message.get("From", "")))[1]
    except Exception:  # an unreadable From: is no sender; the reply is queued later
        return ""
    return _clean(sender).strip().lower()[:320]


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; an email may (a broken one): it is never meaningful.
    return text.replace("\x00", "")


def _arrived(message: EmailMessage, now: datetime) -> datetime:
    """When the email reached our mail server: the topmost Received header (the last
    hop, our own server's), never later than `now`; else `now`. The sender's Date:
    header is never used (issue 12: a sender's clock cannot move a deadline)."""
    received = message.get_all("Received") or []
    if received:
        try:
            at = parsedate_to_datetime(str(received[0]).rpartition(";")[2].strip())
        except (TypeError, ValueError, IndexError):
            return now
        if at.tzinfo is not None:
            return min(at, now)
    return now


def _text_of(message: EmailMessage) -> str:
    """The plain text part, else the HTML part as text (an empty plain part is no text)."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        content = part.get_content()
        text = content if isinstance(content, str) else content.decode("utf-8", "replace")
        if kind == "html":
            text = html_text(text[:MAX_HTML])
        if text.strip():
            return text
    return ""
