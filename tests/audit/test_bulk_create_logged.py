"""Rows written with bulk_create are in the change log too (carebroker/audit/bulk.py):
bulk_create sends no signals, so auditlog alone logs nothing for them; `created_in_bulk`
writes the entry `save()` would have, with the same masks, in one insert."""

import pytest
from auditlog.models import LogEntry
from django.forms.models import model_to_dict
from django.test import RequestFactory

from carebroker.audit.bulk import created_in_bulk
from carebroker.audit.record import acting
from carebroker.councils.models import Area
from carebroker.referrals.models import Person
from tests.factories import make_council, make_person, make_user

pytestmark = pytest.mark.django_db
CREATE = LogEntry.Action.CREATE


def _copies(person, count):
    fields = model_to_dict(person, exclude=["id", "council"])
    return [Person(council=person.council, **fields) for _ in range(count)]


def test_bulk_created_rows_are_logged_like_saved_ones_with_who_and_where():
    council = make_council("kent-oppd")
    saved = make_person(council, name="Ada Lovelock")
    [by_save] = LogEntry.objects.get_for_object(saved).filter(action=CREATE)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    request.user = make_user(council)
    with acting(request):
        rows = Person.objects.bulk_create(_copies(saved, 3))
        assert not LogEntry.objects.filter(object_pk__in=[str(r.pk) for r in rows]).exists()
        entries = created_in_bulk(rows)
    assert len(entries) == 3
    for row in rows:
        [entry] = LogEntry.objects.get_for_object(row).filter(action=CREATE)
        # The same fields and masks as a save's entry (the id is the row's own).
        assert entry.changes == {**by_save.changes, "id": ["None", str(row.pk)]}
        assert "name" in entry.changes and "Lovelock" not in str(entry.changes)  # masked
        assert entry.object_repr == f"person {row.pk}"
        assert (entry.actor, entry.remote_addr) == (request.user, "203.0.113.7")


def test_rows_of_models_not_audited_are_skipped_and_a_row_without_a_key_is_refused():
    council = make_council("kent-oppd")
    area = Area.objects.filter(council=council).first() or Area.objects.create(
        council=council, name="Somewhere"
    )
    assert created_in_bulk([area]) == []
    with pytest.raises(ValueError, match="^records: a person without a primary key"):
        created_in_bulk(_copies(make_person(council), 1))
