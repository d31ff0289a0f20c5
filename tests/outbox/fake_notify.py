"""A local fake of the GOV.UK Notify HTTP API (POST /v2/notifications/email) on loopback.

It checks what the real API checks of a request's shape: the path, a JSON body with
email_address, template_id and personalisation (and only the fields the API knows), and a
Bearer JWT signed HS256 with the API key's secret, issued by the key's service id, at most 30
seconds old. A request that fails a check gets Notify's 400/403 error body; `refuse` makes
the fake answer 500 for an address (a Notify outage for that request).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"carebroker_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
FIELDS = {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id"}


class FakeNotify:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []  # accepted request bodies, in order
        self.rejected: list[tuple[int, str]] = []
        self.refuse: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                status, answer = fake.answer(
                    self.path, self.headers.get("Authorization", ""), self.rfile.read(length)
                )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeNotify:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, authorization: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if path != "/v2/notifications/email":
            return self._error(404, f"no such path {path}")
        scheme, _, token = authorization.partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iat"]})
        except jwt.PyJWTError as error:
            return self._error(403, f"Invalid token: {error}")
        if scheme != "Bearer" or claims.get("iss") != SERVICE_ID:
            return self._error(403, "Invalid token: wrong scheme or issuer")
        if abs(time.time() - claims["iat"]) > 30:
            return self._error(403, "Invalid token: issued at is more than 30 seconds away")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(400, "body is not JSON")
        problems = [f"{name} is required" for name in ("email_address", "template_id")
                    if not isinstance(body.get(name), str) or not body[name]]  # fmt: skip
        problems += [f"{name} is not allowed" for name in set(body) - FIELDS]
        if body.get("template_id") != TEMPLATE_ID:
            problems.append("template not found")
        personalisation = body.get("personalisation")
        if not isinstance(personalisation, dict) or not all(
            isinstance(v, str) for v in personalisation.values()
        ):
            problems.append("personalisation must be an object of text")
        if problems:
            return self._error(400, "; ".join(problems))
        if body["email_address"] in self.refuse:
            return self._error(500, "Internal server error")
        self.sent.append(body)
        return 201, {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "content": {"subject": personalisation["subject"], "body": personalisation["body"]},
            "template": {"id": TEMPLATE_ID, "version": 1, "uri": "fake"},
        }

    def _error(self, status: int, message: str) -> tuple[int, dict[str, Any]]:
        self.rejected.append((status, message))
        return status, {"status_code": status, "errors": [{"error": "BadRequestError",
                                                           "message": message}]}  # fmt: skip
