"""The audit trail (issue 12 finding 9): every view of a full record and every change is
logged with who, when, what and from where; managers read it on the package page; the log
is append-only in the database (PostgreSQL)."""

import re

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings

from carebroker.accounts.models import Role
from carebroker.audit.record import acting
from carebroker.placements.models import DocumentKind, PlacementDocument
from tests.api.helpers import api_client, make_token
from tests.factories import make_user
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
HOME = "203.0.113.7"  # a documentation address (RFC 5737)
ACCESS = LogEntry.Action.ACCESS


def _views_of(record):
    return list(
        LogEntry.objects.get_for_object(record).filter(action=ACCESS).order_by("timestamp", "pk")
    )


def _get(user, url, address=HOME, **headers):
    with clock(NOW):
        return client_for(user).get(url, REMOTE_ADDR=address, **headers)


def test_viewing_the_package_page_is_logged_with_who_when_what_and_where():
    kent = kent_cluster()
    package = kent.packages[0]
    assert _get(kent.broker, f"/packages/{package.case_number}/").status_code == 200
    [entry] = _views_of(package)
    assert entry.actor == kent.broker
    assert entry.timestamp == NOW
    assert entry.remote_addr == HOME
    assert entry.additional_data == {"what": "the package page"}


def _document(kent, package):
    return PlacementDocument.objects.create(
        council=kent.council,
        package=package,
        provider=kent.providers[0],
        kind=DocumentKind.CONFIRMATION_FORM,
        filename="2026 11 23 Provider Confirmation Form.docx",
        content_type="application/octet-stream",
        content=b"made-up document",
        created_at=NOW,
    )


def test_every_way_to_a_full_record_is_logged():
    """The referral page, the decision page's GET, a document download, the admin's person
    and package pages: each leaves an entry naming what was seen."""
    kent = kent_cluster()
    kent.broker.is_staff = True  # the admin is for brokers and managers who are staff
    kent.broker.save()
    package = kent.packages[0]
    document = _document(kent, package)
    pages = [
        (f"/referrals/{package.referral_id}/", package.referral, "the referral page"),
        (f"/packages/{package.case_number}/documents/{document.pk}/", document,
         "downloaded Provider Confirmation Form"),
        (f"/admin/referrals/person/{package.person_id}/change/", package.person, "the admin"),
        (f"/admin/sourcing/package/{package.pk}/change/", package, "the admin"),
    ]  # fmt: skip
    for url, record, what in pages:
        assert _get(kent.broker, url).status_code == 200, url
        assert [e.additional_data["what"] for e in _views_of(record)][-1:] == [what], url
        assert _views_of(record)[-1].actor == kent.broker


def test_api_reads_of_a_full_record_are_logged_as_the_integration_user():
    kent = kent_cluster()
    package = kent.packages[0]
    integration = make_user(kent.council, Role.INTEGRATION)
    client = api_client(make_token(integration))
    with clock(NOW):
        assert client.get(f"/api/v1/referrals/{package.referral_id}",
                          REMOTE_ADDR=HOME).status_code == 200  # fmt: skip
    [entry] = _views_of(package.referral)
    assert (entry.actor, entry.remote_addr) == (integration, HOME)
    assert entry.additional_data == {"what": "read through the API"}


def test_the_tracker_download_is_logged_against_every_package_in_it():
    kent = kent_cluster(packages=2)
    response = _get(kent.manager, "/reports/tracker/download/")
    assert response.status_code == 200
    for package in kent.packages:
        assert [e.additional_data["what"] for e in _views_of(package)] == ["downloaded the tracker"]


def test_a_forged_forwarded_address_is_not_logged_as_the_client():
    """Without a proxy in front (PROXY_COUNT 0) X-Forwarded-For is the client's own words."""
    kent = kent_cluster()
    package = kent.packages[0]
    with override_settings(PROXY_COUNT=0):
        _get(kent.broker, f"/packages/{package.case_number}/",
             HTTP_X_FORWARDED_FOR="198.51.100.99")  # fmt: skip
    assert _views_of(package)[0].remote_addr == HOME


def test_a_change_to_a_person_is_logged_with_who_and_where_but_not_the_values():
    """The log is kept for ever; the person's details are not copied into it."""
    kent = kent_cluster()
    person = kent.packages[0].person
    old_name = person.name
    request = RequestFactory().get("/", REMOTE_ADDR=HOME)
    request.user = kent.broker
    with acting(request):
        person.name = "Winifred Changed"
        person.save()
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert (entry.actor, entry.remote_addr) == (kent.broker, HOME)
    assert entry.changes == {"name": ["(changed)", "(changed)"]}
    stored = str(LogEntry.objects.filter(pk=entry.pk).values().get())
    assert old_name not in stored and "Winifred" not in stored


def test_a_manager_sees_the_access_history_in_words_on_the_package_page():
    kent = kent_cluster()
    package = kent.packages[0]
    kent.broker.first_name, kent.broker.last_name = "Priya", "Shah"
    kent.broker.save()
    _get(kent.broker, f"/packages/{package.case_number}/")
    broker_page = main_of(_get(kent.broker, f"/packages/{package.case_number}/"))
    assert 'id="access-history-table"' not in broker_page  # managers only
    page = main_of(_get(kent.manager, f"/packages/{package.case_number}/", address="192.0.2.5"))
    table = page.split('id="access-history-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", row) for row in rows]
    cells = [row for row in cells if row]  # the head row has header cells only
    assert [
        "Priya Shah (Purchasing Officer)",
        "23 Nov 2026, 10:00",
        "Viewed the package of care: the package page",
        HOME,
    ] in cells
    manager = f"{kent.manager.get_full_name()} (Area Support Manager)"
    assert [manager, "23 Nov 2026, 10:00", "Viewed the package of care: the package page",
            "192.0.2.5"] in cells  # fmt: skip
    # Changes too: the referral's acceptance, by the system (no address).
    assert ["Changed the referral: accepted at, status", "Not recorded (the system)"] in [
        row[2:] for row in cells
    ]
    shown = " ".join(cell for row in cells for cell in row)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown)  # words, never codes


@pytest.mark.postgresql
def test_an_audit_log_row_cannot_be_updated_or_deleted_in_the_database():
    """The trigger refuses whoever asks: the ORM, a raw statement, the admin."""
    kent = kent_cluster()
    package = kent.packages[0]
    _get(kent.broker, f"/packages/{package.case_number}/")
    [entry] = _views_of(package)
    attempts = [
        lambda: LogEntry.objects.filter(pk=entry.pk).update(remote_addr="10.0.0.1"),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: connection.cursor().execute(
            "UPDATE auditlog_logentry SET additional_data = NULL WHERE id = %s", [entry.pk]
        ),
        lambda: connection.cursor().execute(
            "DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert LogEntry.objects.get(pk=entry.pk).remote_addr == HOME


@pytest.mark.postgresql
def test_deleting_a_user_keeps_their_entries_and_who_they_were():
    """The one update let through: Django's SET NULL of the actor; actor_email stays."""
    kent = kent_cluster()
    package = kent.packages[0]
    reader = make_user(kent.council, Role.BROKER, email="reader@kent.example")
    _get(reader, f"/packages/{package.case_number}/")
    reader.delete()
    [entry] = _views_of(package)
    assert entry.actor is None and entry.actor_email == "reader@kent.example"
