"""The change log for rows written with bulk_create, which sends no signals: django-auditlog
never sees them, so a bulk insert of an audited model (apps.REGISTERED) must log itself.

    rows = Package.objects.bulk_create(packages)
    created_in_bulk(rows)                         # one "create" entry a row, one insert

Each entry is what auditlog's own receiver would have written for `save()`: the same
changes (its `model_instance_diff`, so the registered exclusions and masks apply: a
person's details are "(changed)", never their values), the neutral label for a person or a
referral, and who and from where as `record.py` fills them (the request's user and address;
none for the worker). Rows of models that are not audited are skipped, so a caller may pass
any rows. Rows without a primary key (bulk_create with ignore_conflicts on some databases)
cannot be logged: refused, naming the model, so none goes unlogged in silence.

`updated_in_bulk` does the same for rows changed by a bulk UPDATE (the worker's batches):
one "update" entry for each row whose audited columns changed, none for the others.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from carebroker.accounts.throttle import client_address
from carebroker.audit.record import _repr, _request, actor_of


def created_in_bulk(records: Iterable[models.Model]) -> list[LogEntry]:
    """Log the creation of rows that bulk_create saved; returns the entries written."""
    request = _request.get()
    actor = actor_of(request)
    address = (client_address(request) or None) if request is not None else None
    now = timezone.now()
    entries = []
    for record in records:
        if not auditlog.contains(type(record)):
            continue
        if record.pk is None:
            raise ValueError(
                f"records: a {record._meta.verbose_name} without a primary key cannot be "
                "logged (bulk_create with ignore_conflicts?)"
            )
        changes = model_instance_diff(
            None, record, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(record),
                object_pk=str(record.pk),
                object_id=record.pk if isinstance(record.pk, int) else None,
                object_repr=_repr(record),
                action=LogEntry.Action.CREATE,
                changes=changes or {},
                actor=actor,
                actor_email=(actor.email or actor.username) if actor else None,
                remote_addr=address,
                timestamp=now,
                cid=get_cid(),
            )
        )
    return LogEntry.objects.bulk_create(entries, batch_size=500)


def updated_in_bulk(
    changed: Iterable[tuple[models.Model, models.Model]], fields: Iterable[str] | None = None
) -> list[LogEntry]:
    """Log the changes of rows written by a bulk UPDATE (the worker's batches,
    sourcing/writes.py): pairs of (the row as it was read, the row as written). A pair
    with no audited change logs nothing, as `save()` would not; `fields` (names) limits
    the comparison to the columns the UPDATE wrote. One insert for all the entries."""
    if auditlog_disabled.get(False):  # as auditlog's own receivers
        return []
    request = _request.get()
    actor = actor_of(request)
    address = (client_address(request) or None) if request is not None else None
    now = timezone.now()
    checked = list(fields) if fields is not None else None
    entries = []
    for old, new in changed:
        if not auditlog.contains(type(new)):
            continue
        changes = model_instance_diff(
            old, new, fields_to_check=checked,
            use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
        )  # fmt: skip
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(new),
                object_pk=str(new.pk),
                object_id=new.pk if isinstance(new.pk, int) else None,
                object_repr=_repr(new),
                action=LogEntry.Action.UPDATE,
                changes=changes,
                actor=actor,
                actor_email=(actor.email or actor.username) if actor else None,
                remote_addr=address,
                timestamp=now,
                cid=get_cid(),
            )
        )
    return LogEntry.objects.bulk_create(entries, batch_size=500)
