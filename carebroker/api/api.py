"""The API under /api/v1/ (docs/api.md): django-ninja, bearer tokens, throttled per token,
every error a problem+json body (problems.py). Endpoints stay thin (docs/architecture.md §4):
they parse, authorise (access.py) and call the intake; reads go through the council.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Query
from ninja import errors as ninja_errors

from carebroker.api.access import TokenAuth, TokenThrottle, integration
from carebroker.api.models import IdempotentRequest, Scope
from carebroker.api.outcomes import outcome_events, outcomes_of
from carebroker.api.problems import PROBLEM_JSON, ApiProblem, problem
from carebroker.api.schemas import OutcomePage, PackageOut, Problem, ReferralIn, ReferralOut
from carebroker.audit.record import viewed
from carebroker.engine.vocabulary import PackageStatus, event_words, words
from carebroker.lib.london import LONDON
from carebroker.lib.numbers import is_whole_number
from carebroker.referrals.models import Referral
from carebroker.sourcing.intake import do_receive_referral
from carebroker.sourcing.models import Package
from carebroker.sourcing.referral_form import ReferralForm

ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
}


class CarebrokerApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Errors are documented as what they are: application/problem+json."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        return schema


api = CarebrokerApi(
    title="carebroker",
    version="1",
    description="Referrals in and outcomes out, for councils' case-management systems "
    "(docs/api.md).",
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
)


# -- errors: problem+json ----------------------------------------------------------------


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(exc.status, exc.detail, exc.errors, headers)


@api.exception_handler(ninja_errors.AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        401,
        "Send a valid API token: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(ninja_errors.Throttled)
def _throttled(request: HttpRequest, exc: ninja_errors.Throttled) -> HttpResponse:
    wait = int(exc.wait or 1)
    return problem(
        429, f"Too many requests with this token: try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )  # fmt: skip


@api.exception_handler(ninja_errors.ValidationError)
def _invalid(request: HttpRequest, exc: ninja_errors.ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())[1:]]  # less "body", "query"...
        if loc[:1] == ["body"]:  # ... and the name of the body's parameter
            loc = loc[1:]
        loc = loc or ["__all__"]
        errors.setdefault(".".join(loc), []).append(str(error.get("msg", "is not valid")))
    return problem(422, "The request has errors: see each field.", errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "There is no such record of your council.")


@api.exception_handler(ninja_errors.HttpError)
def _http_error(request: HttpRequest, exc: ninja_errors.HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc))


# -- referrals in ----------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATES = {"date_of_birth": "date of birth", "preferred_start": "preferred start date"}
_FLAGS = (
    "urgent", "hospital_discharge", "emergency", "change_to_existing",
    "known_to_team", "from_enablement", "risk", "times_stipulated", "bypassed_enablement",
    "self_funder",
)  # fmt: skip


def form_data(body: ReferralIn) -> tuple[MultiValueDict, dict[str, list[str]]]:
    """The JSON body as the web form's posted data, and the JSON-only problems (a date not
    written YYYY-MM-DD, a relation without its name)."""
    data: MultiValueDict = MultiValueDict()
    problems: dict[str, list[str]] = {}
    fields = body.model_dump(exclude_none=True)
    for name, value in fields.items():
        if name in _DATES:
            match = _ISO_DATE.match(str(value).strip())
            if not match:
                problems[name] = [f"Enter the {_DATES[name]} as YYYY-MM-DD, like 2026-12-07"]
                continue
            year, month, day = match.groups()
            data.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
        elif name == "relations":
            lines = []
            for number, row in enumerate(value, 1):
                relation, person = str(row.get("relation", "")), str(row.get("name", ""))
                if not relation.strip() or not person.strip():
                    problems[name] = [f"Relation {number}: give both its relation and name"]
                lines.append(f"{relation}: {person}")
            data[name] = "\n".join(lines)
        elif name == "documents":
            data.setlist(name, [str(v) for v in value])
        elif name in _FLAGS:
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data, problems


def _fingerprint(request: HttpRequest) -> str:
    return hashlib.sha256(request.body).hexdigest()


def _replay(saved: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if saved.fingerprint != fingerprint:
        return problem(
            422,
            "This Idempotency-Key was used for a different request: use a new key.",
            {"Idempotency-Key": ["Already used for a different request body"]},
        )
    return HttpResponse(
        json.dumps(saved.body),
        status=saved.status_code,
        content_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


@api.post(
    "/referrals",
    url_name="referrals",
    auth=TokenAuth(Scope.REFERRALS_WRITE),
    response={201: ReferralOut, **ERRORS},
    summary="Send a referral",
)
def create_referral(request: HttpRequest, body: ReferralIn) -> Any:
    """Saved as received for the brokerage team to check, exactly as from the web form.
    Send an `Idempotency-Key` header (any unique text up to 200 characters): a retry with
    the same key and body returns the first answer and never makes a second referral."""
    token = integration(request, Scope.REFERRALS_WRITE)
    user = token.user
    now = timezone.now()
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise ApiProblem(422, "The Idempotency-Key is too long.",
                         {"Idempotency-Key": ["At most 200 characters"]})  # fmt: skip
    fingerprint = _fingerprint(request)
    if key and (saved := IdempotentRequest.objects.filter(user=user, key=key).first()):
        return _replay(saved, fingerprint)
    data, problems = form_data(body)
    form = ReferralForm(data, council=user.council, today=now.astimezone(LONDON).date())
    errors = {name: list(messages) for name, messages in form.errors.items()}
    errors.update(problems)
    if errors:
        raise ApiProblem(422, "The referral has errors: see each field. Nothing was saved.", errors)
    try:
        with transaction.atomic():
            claim = None
            if key:  # first: a concurrent twin waits here, then fails on the unique key
                claim = IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=fingerprint, status_code=201, body={},
                    created_at=now,
                )  # fmt: skip
            referral = do_receive_referral(user, form, now)
            out = ReferralOut(**referral_out(referral)).model_dump(mode="json")
            if claim is not None:
                claim.body, claim.referral = out, referral
                claim.save(update_fields=["body", "referral"])
    except IntegrityError:
        saved = IdempotentRequest.objects.filter(user=user, key=key).first() if key else None
        if saved is not None:
            return _replay(saved, fingerprint)
        raise ApiProblem(
            422, "The referral has errors: see each field. Nothing was saved.",
            {"case_number": ["This Mosaic ID is already a package of this council"]},
        ) from None  # fmt: skip
    except ValidationError as error:
        raise ApiProblem(422, "The referral has errors: see each field. Nothing was saved.",
                         _messages(error)) from None  # fmt: skip
    except PermissionDenied as error:
        raise ApiProblem(403, str(error)) from None
    # The very bytes a retry will get back (_replay), not the renderer's own.
    return HttpResponse(json.dumps(out), status=201, content_type="application/json")


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: list(messages) for name, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def referral_out(referral: Referral) -> dict[str, Any]:
    person = referral.person
    return {
        "id": referral.pk,
        "status": referral.status,
        "status_words": referral.get_status_display(),
        "received_at": referral.received_at,
        "documents": list(referral.documents or []),
        "missing": list(referral.missing or []),
        "person": {
            "name": person.name,
            "date_of_birth": person.date_of_birth,
            "address": person.address,
            "town": person.town or "",
            "postcode": person.postcode,
            "phone": person.phone or "",
            "needs": person.needs,
        },
        "packages": [
            {"case_number": p.case_number, "status": p.status, "status_words": _status(p.status)}
            for p in referral.packages.order_by("pk")
        ],
    }


def _status(code: str) -> str:
    try:
        return PackageStatus(code).label
    except ValueError:
        return words(code)


# -- reads --------------------------------------------------------------------------------


@api.get(
    "/referrals/{referral_id}",
    url_name="referral",
    auth=TokenAuth(Scope.PACKAGES_READ),
    response={200: ReferralOut, **ERRORS},
    summary="A referral, with the person's full record",
)
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    token = integration(request, Scope.PACKAGES_READ)
    referral = (
        Referral.objects.filter(council_id=token.user.council_id, pk=referral_id)
        .select_related("person")
        .first()
    )
    if referral is None:
        raise Http404
    viewed(request, "read through the API", referral)
    return referral_out(referral)


@api.get(
    "/packages/{case_number}",
    url_name="package",
    auth=TokenAuth(Scope.PACKAGES_READ),
    response={200: PackageOut, **ERRORS},
    summary="A package: its status, timeline and placement",
)
def get_package(request: HttpRequest, case_number: str) -> Any:
    token = integration(request, Scope.PACKAGES_READ)
    package = (
        Package.objects.filter(council_id=token.user.council_id, case_number=case_number)
        .select_related("awarded_provider")
        .first()
    )
    if package is None:
        raise Http404
    viewed(request, "read through the API", package)
    timeline = list(package.timeline.order_by("at", "id"))
    placement = None
    if package.awarded_provider is not None:
        awards = [e for e in timeline if e.type in ("award", "confirmed")]
        start = next((e.details.get("start") for e in reversed(awards) if e.details.get("start")),
                     None)  # fmt: skip
        # The winner's offered rate (a framework-rate award carries none on its event).
        rate = (
            package.requests.filter(provider=package.awarded_provider, rate__isnull=False)
            .order_by("-seq")
            .values_list("rate", flat=True)
            .first()
        )
        placement = {
            "provider": package.awarded_provider.name,
            "awarded_at": package.awarded_at,
            "start": str(start)[:10] if start else None,
            "hourly_rate": str(rate) if rate else None,
        }
    return {
        "case_number": package.case_number,
        "referral_id": package.referral_id,
        "status": package.status,
        "status_words": _status(package.status),
        "hours_per_week": str(package.hours_per_week),
        "preferred_start": package.preferred_start,
        "placement": placement,
        "timeline": [{"at": e.at, "type": e.type, "words": event_words(e.type)} for e in timeline],
    }


@api.get(
    "/outcomes",
    url_name="outcomes",
    auth=TokenAuth(Scope.OUTCOMES_READ),
    response={200: OutcomePage, **ERRORS},
    summary="Outcomes after a cursor: awards, start dates, handbacks, unable to fill",
)
def list_outcomes(
    request: HttpRequest,
    cursor: str | None = Query(
        None, description="The last outcome id you have; none: from the start"
    ),  # noqa: E501
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    token = integration(request, Scope.OUTCOMES_READ)
    after = 0
    if cursor:
        if not is_whole_number(cursor) or len(cursor) > 18:
            raise ApiProblem(422, "The cursor is not one this API gave.",
                             {"cursor": ["Use an outcome's id or next_cursor"]})  # fmt: skip
        after = int(cursor)
    events = list(outcome_events(token.user.council_id).filter(id__gt=after)[:limit])
    rows = outcomes_of(events)
    return {"outcomes": rows, "next_cursor": rows[-1]["id"] if rows else cursor}
