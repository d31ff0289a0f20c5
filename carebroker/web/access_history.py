"""A package's access history in words, for its manager (issue 12 finding 9): who looked at
or changed the person's full record, when, what and from where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist

from carebroker.accounts.models import Role
from carebroker.audit.history import entries_about
from carebroker.lib.london import london_short
from carebroker.placements.models import PlacementDocument
from carebroker.sourcing.models import Package
from carebroker.web.words import terms_of

SHOWN = 200  # the newest entries; older ones stay in the log

# What each kind of record is called on the page.
RECORD_WORDS = {
    "package": "the {package}",
    "person": "the person's details",
    "referral": "the referral",
    "placementdocument": "a placement document",
}
ACTIONS = {
    LogEntry.Action.CREATE: "Created",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Deleted",
}


@dataclass(frozen=True)
class AccessRow:
    who: str
    when: str
    what: str
    where: str


def access_history(package: Package) -> list[AccessRow]:
    documents = list(PlacementDocument.objects.filter(package=package))
    records = [package, package.person, package.referral, *documents]
    terms = terms_of(package.council.policy_name)
    names = {document.pk: document.filename for document in documents}
    return [
        AccessRow(
            who=_who(entry, terms),
            when=london_short(entry.timestamp),
            what=_what(entry, terms.package, names),
            where=entry.remote_addr or "Not recorded (the system)",
        )
        for entry in entries_about(records)[:SHOWN]
    ]


def _who(entry: LogEntry, terms: Any) -> str:
    actor = entry.actor
    if actor is None:
        return entry.actor_email or "The system"
    role = {
        Role.BROKER: terms.broker,
        Role.MANAGER: terms.manager,
        Role.REFERRER: terms.referrer,
        Role.PROVIDER: "provider",
        Role.INTEGRATION: "case-management system",
    }.get(actor.role, actor.get_role_display())
    name = actor.get_full_name() or actor.username
    return f"{name} ({role[:1].upper() + role[1:]})"


def _what(entry: LogEntry, package_word: str, names: dict[int, str]) -> str:
    model = entry.content_type.model
    record = RECORD_WORDS.get(model, "a record").format(package=package_word)
    if model == "placementdocument" and entry.object_id in names:
        record = f"the document {names[entry.object_id]}"
    if entry.action == LogEntry.Action.ACCESS:
        how = (entry.additional_data or {}).get("what", "a page")
        return f"Viewed {record}: {how}"
    verb = ACTIONS.get(entry.action, "Changed")
    if entry.action != LogEntry.Action.UPDATE:
        return f"{verb} {record}"
    fields = _field_words(entry)
    return f"{verb} {record}: {fields}" if fields else f"{verb} {record}"


def _field_words(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    changed = entry.changes if isinstance(entry.changes, dict) else {}
    words = []
    for name in changed:
        try:
            label = str(model._meta.get_field(name).verbose_name) if model else name
        except FieldDoesNotExist:  # a field since removed: its name, in words
            label = name.replace("_", " ")
        words.append(label)
    return ", ".join(sorted(words))
