"""Secrets we must read back are sealed at rest (issue 12, ASVS V6: stored cryptography):
the ISP passwords and the authenticator apps' keys are Fernet tokens in the database under
ENCRYPTION_KEYS, readable in Python; `carebroker rotate-keys` seals them again under a new
key; the migration seals the rows that were stored in clear (carebroker/accounts/sealed.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from carebroker.accounts.models import AppDevice, Role
from carebroker.placements.models import DocumentKind, PlacementDocument
from tests.factories import make_council, make_package, make_provider, make_user

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PASSWORD = "Xk7pQ-abcde-FGHJK-23456"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _isp(package, provider, password=PASSWORD) -> PlacementDocument:
    return PlacementDocument.objects.create(
        council=package.council, package=package, provider=provider, kind=DocumentKind.ISP,
        filename=f"2026 11 30 {package.case_number} ISP {provider.pk}.pdf",
        content_type="application/pdf", content=b"%PDF", encrypted=True, password=password,
        created_at=NOW,
    )  # fmt: skip


@pytest.fixture
def world():
    council = make_council("essex-lah")
    return council, make_package(council), make_provider(council), make_user(council, Role.BROKER)


@pytest.mark.django_db
def test_authenticator_key_is_sealed_at_rest_and_still_checks_codes(world):
    *_, broker = world
    device = AppDevice.objects.create(user=broker, name="Authenticator app", confirmed=True)
    stored = raw("accounts_appdevice", "key", device.pk)
    assert device.key not in stored and stored.startswith("gAAAAA")
    again = AppDevice.objects.get(pk=device.pk)
    assert again.key == device.key and len(again.bin_key) == 20


@pytest.mark.django_db
def test_isp_password_is_sealed_and_the_audit_log_never_holds_it(world):
    from auditlog.models import LogEntry

    _, package, provider, _ = world
    document = _isp(package, provider)
    assert PASSWORD not in raw("placements_placementdocument", "password", document.pk)
    assert PlacementDocument.objects.get(pk=document.pk).password == PASSWORD
    logged = " ".join(str(e.changes) for e in LogEntry.objects.all())
    assert "ISP" in logged and PASSWORD not in logged


@pytest.mark.django_db
def test_rotate_keys_seals_every_secret_again_under_the_new_key(world, capsys):
    _, package, provider, broker = world
    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]):
        document = _isp(package, provider)
        device = AppDevice.objects.create(user=broker, name="Authenticator app")
        before = raw("placements_placementdocument", "password", document.pk)
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_keys")
    assert "sealed again under the first key" in capsys.readouterr().out
    assert raw("placements_placementdocument", "password", document.pk) != before
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):  # the old key dropped: all still open
        assert PlacementDocument.objects.get(pk=document.pk).password == PASSWORD
        assert AppDevice.objects.get(pk=device.pk).key == device.key
    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(ImproperlyConfigured):
        PlacementDocument.objects.get(pk=document.pk)  # nothing is left under the old key


def test_rotate_keys_new_key_prints_a_usable_key(capsys):
    call_command("rotate_keys", "--new-key")
    Fernet(capsys.readouterr().out.strip())  # a valid Fernet key, or this raises


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_secrets_stored_in_clear(world):
    """Rows from before: a provider's one ISP password and a django-otp TOTP device, in
    clear. After the migration each ISP holds the password sealed, the app's key is sealed
    in an AppDevice, and no clear key is left in django-otp's table."""
    _, package, provider, broker = world
    sent = _isp(package, provider, password="")
    before = [
        ("placements", "0005_commencement_letter_purchase_order"),
        ("accounts", "0001_initial"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state([*before, ("otp_totp", "0003_add_timestamps")]).apps
    old.get_model("placements", "ProviderDocumentPassword").objects.create(
        provider_id=provider.pk, password=PASSWORD, created_at=NOW, shown_at=NOW,
        shown_to_id=broker.pk,
    )  # fmt: skip
    hex_key = "3132333435363738393031323334353637383930"
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=broker.pk, name="Authenticator app", confirmed=True, key=hex_key
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    document = PlacementDocument.objects.get(pk=sent.pk)
    assert (document.password, document.password_shown_to_id) == (PASSWORD, broker.pk)
    assert PASSWORD not in raw("placements_placementdocument", "password", sent.pk)
    device = AppDevice.objects.get(user=broker)
    assert (device.key, device.confirmed) == (hex_key, True)
    assert hex_key not in raw("accounts_appdevice", "key", device.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
