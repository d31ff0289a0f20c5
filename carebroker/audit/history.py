"""Reading the audit trail: every entry about a set of records, newest first."""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet


def entries_about(records: Iterable[models.Model]) -> QuerySet[LogEntry]:
    """The entries (views and changes) of these records, newest first, with their actors."""
    found = Q(pk__in=[])
    for record in records:
        kind = ContentType.objects.get_for_model(record)
        found |= Q(content_type=kind, object_pk=str(record.pk))
    return (
        LogEntry.objects.filter(found)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
