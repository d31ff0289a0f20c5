"""Errors as RFC 9457 problem details (`application/problem+json`), every bad field named."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Sign in with an API token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "The request has errors",
    429: "Too many requests",
}


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem; `errors` maps a field to its messages."""

    def __init__(
        self, status: int, detail: str, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}


def problem_body(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [
            {"field": field, "messages": list(messages)} for field, messages in errors.items()
        ]
    return body


def problem(
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(status, detail, errors)),
        status=status,
        content_type=PROBLEM_JSON,
        headers=headers,
    )
    return response
