"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives.

`SmtpServer().start()` listens on 127.0.0.1 at a free port. `refuse` makes it answer
DATA with a 4xx (or 5xx) reply; `hold_mail` makes it wait at MAIL FROM until released,
so a test can kill a worker in the middle of a delivery.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CollectingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        self.refuse: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.hold_mail = threading.Event()  # set: MAIL FROM waits until `release` is set
        self.release = threading.Event()
        self.holding = threading.Event()  # set once a client waits at MAIL FROM
        self.lock = threading.Lock()

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.hold_mail.is_set():
            self.holding.set()
            # Blocks the server's loop on purpose: the client sits in the middle of a send.
            self.release.wait(timeout=30)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelope_recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = CollectingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def message_ids(self) -> Counter[str]:
        return Counter(str(message["Message-ID"]) for message in self.messages)

    def subjects(self) -> Counter[str]:
        return Counter(str(message["Subject"]) for message in self.messages)

    def mailers(self) -> dict[str, Any]:
        """settings.MAILERS sending to this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }
