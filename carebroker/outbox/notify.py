"""A GOV.UK Notify email backend for the outbox, beside SMTP (settings: CAREBROKER_EMAIL=notify).

Notify sends templates, not messages: we use ONE generic email template whose subject is
`((subject))` and whose body is `((body))`, as services that already write their own text
commonly do; each notice's words (outbox/templates) go in as personalisation. The template
id is NOTIFY_TEMPLATE_ID; NOTIFY_API_KEY signs each request (a JWT, by
notifications-python-client).

What Notify changes, and what we decided:
- **One address per request.** A notice to several addresses (to and cc) is several
  requests. Each address sent is recorded (`NotifySend`, keyed by the notice's Message-ID,
  committed at once), so when a later address fails and the outbox retries the notice, the
  addresses already sent are skipped: a retry never sends twice. The one window left is the
  outbox's own (docs/architecture.md §6): a crash between Notify accepting and the row being
  written.
- **No per-message Reply-To.** Notify sets Reply-To from an address registered with the
  service (NOTIFY_REPLY_TO_ID). Our per-notice reply address (outbox/reply_address.py),
  which is what lets a reply be recorded without a broker, goes in the `reply_to`
  personalisation for the template to show; a reply to the registered address has no
  token, so it is queued for a broker, never recorded on its own (docs/security.md).
- **Attachments are not sent.** Notify can send a file only as a download link
  (`prepare_upload`), a link anyone holding the email and its address can open, outside our
  sign-in and audit trail. The body instead names each file and says where to download it
  after signing in (the provider portal's Documents page, or the council's Reports pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from carebroker.outbox.models import NotifySend

NOTIFY_API = "https://api.notifications.service.gov.uk"
ATTACHMENTS_NOTE = (
    "\n\n---\nThe files for this email are not attached: {names}. Sign in to download them "
    "(providers: the provider portal's Documents page; council staff: the Reports pages)."
)


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        *,
        api_key: str,
        template_id: str,
        base_url: str = NOTIFY_API,
        reply_to_id: str = "",
        timeout: int = 30,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.template_id = template_id
        self.reply_to_id = reply_to_id or None
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send each message to each of its addresses not already sent; an error raises (the
        outbox records it and retries the notice later)."""
        for message in email_messages:
            for address in message.recipients():
                self._send_once(message, address)
        return len(email_messages)

    def _send_once(self, message: EmailMessage, address: str) -> None:
        key = str(message.extra_headers.get("Message-ID") or "")
        if key and NotifySend.objects.filter(message_id=key, address=address).exists():
            return
        answer = self.client.send_email_notification(
            email_address=address,
            template_id=self.template_id,
            personalisation=personalisation(message),
            reference=key or None,
            email_reply_to_id=self.reply_to_id,
        )
        if key:
            NotifySend.objects.create(
                message_id=key,
                address=address,
                notification_id=str(answer.get("id", ""))[:100],
                sent_at=timezone.now(),
            )


def personalisation(message: EmailMessage) -> dict[str, str]:
    """The generic template's fields: subject, body (plain text), reply_to."""
    body = str(message.body)
    # The outbox attaches (filename, content, type) parts: EmailAttachment, a named tuple.
    names = [str(part.filename) for part in message.attachments if getattr(part, "filename", None)]
    if names:
        body += ATTACHMENTS_NOTE.format(names=", ".join(names))
    return {
        "subject": str(message.subject),
        "body": body,
        "reply_to": ", ".join(message.reply_to),
    }
