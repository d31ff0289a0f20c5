"""Writing the audit trail: who viewed a full record, and who made each change.

Changes are logged by django-auditlog's signals (apps.py registers the models); this module
fills in who and from where. Views of full records are auditlog's own "access" entries,
written here by the views that show them (`viewed`) and by the exports (`exported`), with
what was seen in words in `additional_data["what"]`.

Who: the signed-in user, or an API token's user (`request.auth.user`); none for the worker.
From where: the client's address as sign-in throttling reads it (`client_address`, which
trusts only PROXY_COUNT proxies), never auditlog's own reading of X-Forwarded-For, which a
client can write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from carebroker.accounts.models import User
from carebroker.accounts.throttle import client_address

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)

# Labels kept in the log instead of str(): a person's name would otherwise stay in the
# append-only log after the person is erased.
NEUTRAL_REPR = {"referrals.person": "person", "referrals.referral": "referral"}


def actor_of(request: HttpRequest | None) -> User | None:
    """The signed-in user, or the user an API token belongs to."""
    if request is None:
        return None
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    token_user = getattr(getattr(request, "auth", None), "user", None)
    return token_user if isinstance(token_user, User) else None


class AuditMiddleware:
    """Makes the request known to the change log for as long as it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting(request: HttpRequest) -> Iterator[None]:
    """For code that serves a request outside the middleware (tests, commands)."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@receiver(pre_save, sender=LogEntry, dispatch_uid="carebroker-audit-who")
def _who_and_where(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
    request = _request.get()
    if instance.actor_id is None and (actor := actor_of(request)) is not None:
        instance.actor = actor
        instance.actor_email = actor.email or actor.username
    if instance.remote_addr is None and request is not None:
        instance.remote_addr = client_address(request) or None
    label = f"{instance.content_type.app_label}.{instance.content_type.model}"
    if label in NEUTRAL_REPR:
        instance.object_repr = f"{NEUTRAL_REPR[label]} {instance.object_pk}"


def _repr(record: models.Model) -> str:
    label = f"{record._meta.app_label}.{record._meta.model_name}"
    return f"{NEUTRAL_REPR[label]} {record.pk}" if label in NEUTRAL_REPR else str(record)


def _entry(request: HttpRequest, record: models.Model, what: str) -> LogEntry:
    actor = actor_of(request)
    return LogEntry(
        content_type=ContentType.objects.get_for_model(record),
        object_pk=str(record.pk),
        object_id=record.pk if isinstance(record.pk, int) else None,
        object_repr=_repr(record),
        action=LogEntry.Action.ACCESS,
        actor=actor,
        actor_email=(actor.email or actor.username) if actor else None,
        remote_addr=client_address(request) or None,
        timestamp=timezone.now(),
        additional_data={"what": what},
    )


def viewed(request: HttpRequest, what: str, *records: models.Model) -> None:
    """Record that the request's user saw these records' full details; `what` in words
    ("the package page")."""
    for record in records:
        _entry(request, record, what).save()


def exported(request: HttpRequest, what: str, records: Iterable[models.Model]) -> None:
    """Record one export of many records (the tracker): an entry for each, in one insert."""
    entries = [_entry(request, record, what) for record in records]
    LogEntry.objects.bulk_create(entries, batch_size=500)
