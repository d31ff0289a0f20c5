"""UK GDPR in carebroker (issue 12, Personal data lifecycle): the retention duty, its dry
run, the subject access export, erasure, and no full record for a provider after its
placement ends (carebroker/placements/personal_data.py, carebroker/portal/access.py)."""

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.test import Client

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.placements.personal_data import erase_person, retention, subject_access_zip
from carebroker.portal.access import documents_for_provider
from carebroker.referrals.models import Person
from carebroker.sourcing.models import EventSource, Package, PackageStatus, TimelineEvent
from carebroker.sourcing.worker import sweep
from tests.factories import make_council, make_package, make_provider, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EIGHT_YEARS_AGO = datetime(2018, 11, 1, 10, 0, tzinfo=UTC)
FOUR_YEARS_AGO = datetime(2022, 11, 1, 10, 0, tzinfo=UTC)
PDF = b"%PDF-1.7 the full record of Ada Lovelock"


def _ended(council, status, at, **fields):
    package = make_package(council, status=status, **fields)
    TimelineEvent.objects.create(
        package=package, at=at, type=status, details={}, source=EventSource.ENGINE
    )
    return package


def _document(package, kind=DocumentKind.IPA, provider=None):
    return PlacementDocument.objects.create(
        council=package.council,
        package=package,
        provider=provider,
        kind=kind,
        filename=f"2026 11 02 {kind} {package.case_number}.pdf",
        content_type="application/pdf",
        content=PDF,
        created_at=NOW,
    )


@pytest.fixture
def kent():
    council = make_council("kent-oppd")
    old = _ended(council, PackageStatus.CANCELLED, EIGHT_YEARS_AGO)
    recent = _ended(council, PackageStatus.UNFILLED, FOUR_YEARS_AGO)
    running = _ended(council, PackageStatus.AWARDED, EIGHT_YEARS_AGO)  # a placement still on
    return council, old, recent, running


def _person(package):
    return Person.objects.get(pk=package.person_id)


def test_retention_erases_only_what_is_past_the_period(kent):
    council, old, recent, running = kent
    assert council.retention_years == 7
    _document(old)
    recent_name, running_name = _person(recent).name, _person(running).name

    sweep(NOW)  # the worker's sweep: the retention duty is one of its duties

    erased = _person(old)
    assert erased.erased_at == NOW
    assert erased.name == f"Erased person {erased.pk}"
    assert (erased.address, erased.phone, erased.needs, erased.relations) == ("", "", "", [])
    assert erased.date_of_birth.year == 1941 and erased.postcode == "CO4"
    assert bytes(PlacementDocument.objects.get(package=old).content) == b""
    # The statistics stay: the package, its status, its timeline.
    assert Package.objects.get(pk=old.pk).status == PackageStatus.CANCELLED
    assert TimelineEvent.objects.filter(package=old, type="personal_data_erased").exists()
    assert _person(recent).name == recent_name and _person(recent).erased_at is None
    assert _person(running).name == running_name and _person(running).erased_at is None


def test_retention_dry_run_changes_nothing_then_the_command_does_it(kent, capsys):
    _council, old, recent, _running = kent
    before = _person(old).name
    call_command("retention", "--dry-run", "--now", "2026-11-30 09:00")
    out = capsys.readouterr().out
    assert "would anonymise" in out
    assert old.case_number in out and recent.case_number not in out
    assert "1 person would be anonymised." in out
    assert _person(old).name == before and _person(old).erased_at is None
    call_command("retention", "--now", "2026-11-30 09:00")
    assert _person(old).erased_at is not None
    assert retention(NOW, dry_run=True) == []  # nothing left to do


def test_a_shorter_retention_period_reaches_the_recent_package(kent):
    council, _old, recent, _running = kent
    council.retention_years = 3
    council.save()
    assert len(retention(NOW, dry_run=False)) == 2
    assert _person(recent).erased_at == NOW


def test_subject_access_export_contains_the_json_and_the_documents(kent):
    council, old, _recent, _running = kent
    document = _document(old)
    manager = make_user(council, Role.MANAGER)
    data = subject_access_zip(_person(old), NOW, by=manager.get_username())
    archive = zipfile.ZipFile(io.BytesIO(data))
    held = json.loads(archive.read("person.json"))
    assert held["person"]["name"] == _person(old).name
    assert held["packages"][0]["mosaic_id"] == old.case_number
    [entry] = held["documents"]
    assert entry["file"].startswith(f"documents/{document.pk} ")
    assert archive.read(entry["file"]) == PDF
    logged = TimelineEvent.objects.get(package=old, type="personal_data_exported")
    assert logged.actor == manager.get_username()


def test_erasure_keeps_the_statistics_and_removes_the_texts(kent):
    council, old, _recent, _running = kent
    Notice.objects.create(
        council=council, package=old, kind="award", key=f"award:{old.case_number}",
        to=["a@example.org"], subject="Award", body=f"Needs of {_person(old).name}",
        next_attempt_at=NOW, created_at=NOW,
    )  # fmt: skip
    TimelineEvent.objects.create(
        package=old, at=NOW, type="query", details={"text": "Is Bea Lovelock at home?"},
        source=EventSource.ENGINE,
    )  # fmt: skip
    erase_person(_person(old), NOW, by="manager1", why="asked by the person")
    assert Notice.objects.get(package=old).body == "(erased)"
    assert TimelineEvent.objects.get(package=old, type="query").details["text"] == "(erased)"
    assert Package.objects.filter(pk=old.pk, status=PackageStatus.CANCELLED).exists()
    assert "Lovelock" not in json.dumps(Package.objects.get(pk=old.pk).provider_view)


def test_provider_loses_the_full_record_after_the_placement_ends():
    council = make_council("kent-oppd")
    provider = make_provider(council)
    user = make_user(council, Role.PROVIDER, provider=provider)
    package = make_package(
        council, status=PackageStatus.AWARDED, awarded_provider=provider, awarded_at=NOW
    )
    ipa = _document(package, DocumentKind.IPA, provider)
    isp = _document(package, DocumentKind.ISP, provider)
    assert set(documents_for_provider(user)) == {ipa, isp}
    # The placement ends (engine/placement.py): the package stays awarded, the record goes.
    TimelineEvent.objects.create(
        package=package, at=NOW, type="placement_ended", details={"reason": "moved away"},
        source=EventSource.COUNCIL,
    )  # fmt: skip
    assert set(documents_for_provider(user)) == {isp}  # the anonymised ISP only
    client = Client()
    client.force_login(user)
    assert client.get(f"/portal/documents/{ipa.pk}/").status_code == 404
    assert client.get(f"/portal/documents/{isp.pk}/").status_code == 200


def test_only_a_manager_exports_or_erases_and_erasure_asks_first(kent):
    council, old, _recent, _running = kent
    _document(old)
    broker, manager = make_user(council, Role.BROKER), make_user(council, Role.MANAGER)
    client = Client()
    client.force_login(broker)
    base = f"/packages/{old.case_number}/personal-data"
    assert client.post(f"{base}/export/").status_code == 403
    assert client.get(f"{base}/erase/").status_code == 403
    client.force_login(manager)
    download = client.post(f"{base}/export/")
    assert download["Content-Type"] == "application/zip"
    assert "person.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert "cannot be undone" in client.get(f"{base}/erase/").content.decode()
    refused = client.post(f"{base}/erase/", {"erase-reason": ""})
    assert refused.status_code == 400 and _person(old).erased_at is None
    done = client.post(f"{base}/erase/", {"erase-reason": "The person asked (UK GDPR art. 17)"})
    assert done.status_code == 302 and _person(old).erased_at is not None
    assert TimelineEvent.objects.filter(package=old, type="personal_data_erased").get().actor == (
        manager.get_username()
    )
