"""Made-up emails and a Leicestershire tender for the reply tests (docs/policies.md §6.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from carebroker.accounts.models import Role
from carebroker.councils.models import Council
from carebroker.outbox.models import Notice
from carebroker.outbox.reply_address import reply_address
from carebroker.providers.models import Provider
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)

# Monday 23 November 2026, 10:00: the tender goes out; 5 working days to answer.
LEICS_SENT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TUESDAY_11 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@dataclass
class LeicsTender:
    council: Council
    providers: list[Provider]
    package: Package
    other: Package


def leics_tender() -> LeicsTender:
    council = make_council("leics-short-breaks")
    make_user(council, Role.REFERRER)
    area = make_area(council, "Charnwood")
    providers = [
        make_provider(
            council,
            f"Oak Short Breaks {n}",
            areas={area: n},
            lots=[1],
            support_types=["community"],
            min_age=0,
            max_age=18,
        )
        for n in (1, 2)
    ]
    packages = []
    for case in ("L5001", "L5002"):
        child = make_person(council, date_of_birth=date(2015, 5, 1))
        referral = make_referral(
            council,
            child,
            documents=["referral_form", "manager_signature"],
            received_at=LEICS_SENT,
        )
        packages.append(
            make_package(
                council, case, referral=referral, area=area, lot=1, support_type="community"
            )
        )
        do_submit_referral(referral, LEICS_SENT)
    return LeicsTender(council, providers, *packages)


def reply_address_of(sender: str) -> str:
    """The Reply-To of the latest notice sent to `sender`, as the provider's mail program
    replies to it (outbox/reply_address.py); a made-up mailbox when none was sent."""
    for notice in Notice.objects.order_by("-id"):
        if sender in notice.to or sender in notice.cc:
            return reply_address(notice.pk)
    return "brokerage@council.example.org"


def eml(
    sender: str,
    subject: str,
    body: str,
    *,
    at: datetime = TUESDAY_11,
    message_id: str | None = "<reply-1@provider.example.org>",
    html: str | None = None,
    to: str | None = None,
    date: datetime | None = None,
    received: bool = True,
) -> bytes:
    """An email as a provider's mail program sends it to the reply address of our latest
    notice to `sender` (or to `to`), as our mail server delivers it at `at` (Received)."""
    message = EmailMessage()
    if received:
        message["Received"] = (
            f"from mail.provider.example.org by mx.council.example.org; {format_datetime(at)}"
        )
    message["From"] = f"Casey Contact <{sender}>"
    message["To"] = to or reply_address_of(sender)
    message["Subject"] = subject
    message["Date"] = format_datetime(date or at)
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    if html is not None:
        message.make_alternative()
        message.add_alternative(html, subtype="html")
    return bytes(message)
