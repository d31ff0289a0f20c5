"""The Reply-To address of a notice: `replies+<token>@<council mail domain>` (issue 12
finding 3).

Each notice gets its own token, `<notice id>-<16 hex of an HMAC of the id under
SECRET_KEY>`, so only the people the notice went to know it. A provider's reply to a
request notice comes back to that address; `exchange/replies.py` records the reply only
when the token is valid and its notice went to the sender's provider; any other email
(a forged From:, a token of another provider's notice) is queued for a broker.

REPLY_TO_EMAIL (settings) is the mailbox the council's mail server delivers to the
Maildir that `ingest-email` reads; it must accept plus-addressing (every common server
does: Exchange, Postfix, Gmail).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_TOKEN = re.compile(r"\+([0-9]{1,12})-([0-9a-f]{16})@", re.IGNORECASE)


def reply_token(notice_id: int) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"reply-token:{notice_id}".encode(), hashlib.sha256
    )
    return f"{notice_id}-{mac.hexdigest()[:16]}"


def reply_address(notice_id: int) -> str:
    local, _, domain = settings.REPLY_TO_EMAIL.rpartition("@")
    return f"{local or 'replies'}+{reply_token(notice_id)}@{domain or 'localhost'}"


def notice_ids_in(addresses: str) -> list[int]:
    """The ids of notices whose valid reply token is in `addresses` (header text)."""
    found = []
    for match in _TOKEN.finditer(addresses):
        notice_id = int(match.group(1))
        if hmac.compare_digest(reply_token(notice_id), f"{notice_id}-{match.group(2).lower()}"):
            found.append(notice_id)
    return found
