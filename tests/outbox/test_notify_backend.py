"""The GOV.UK Notify email backend (outbox/notify.py), through the real outbox, against a local
fake of the Notify API that checks each request's shape and its signed token."""

import os
import subprocess
import sys

import pytest
from django.db import transaction

from carebroker.outbox.delivery import deliver_due, message_id
from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus, NotifySend
from carebroker.outbox.notices import queue_notice
from carebroker.outbox.reply_address import reply_address
from tests.outbox.conftest import NOW
from tests.outbox.fake_notify import API_KEY, TEMPLATE_ID, FakeNotify
from tests.outbox.samples import SAMPLES

PROVIDER, SENIOR = "alder@provider.example.org", "senior@provider.example.org"


@pytest.fixture
def notify(settings):
    fake = FakeNotify().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "carebroker.outbox.notify.NotifyEmailBackend",
            "OPTIONS": {
                "api_key": API_KEY,
                "template_id": TEMPLATE_ID,
                "base_url": fake.base_url,
                "timeout": 5,
            },
        }
    }
    yield fake
    fake.stop()


def _queue(council, package, key, *, cc=(), attachments=()):
    with transaction.atomic():
        return queue_notice(
            council=council,
            kind=NoticeKind.DECLINE_ACKNOWLEDGEMENT,
            key=key,
            to=[PROVIDER],
            cc=list(cc),
            context=SAMPLES[NoticeKind.DECLINE_ACKNOWLEDGEMENT],
            package=package,
            now=NOW,
            attachments=list(attachments),
        )


def _deliver(now=NOW):
    return deliver_due(now, worker_id="test-worker")


def test_a_notice_goes_to_notify_as_the_generic_template_with_its_words(notify, council, package):
    notice = _queue(council, package, "decline:M1001:P3")
    assert _deliver().sent == ["decline:M1001:P3"]
    assert notify.rejected == []
    [sent] = notify.sent
    assert sent["email_address"] == PROVIDER
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["reference"] == message_id(notice)
    assert sent["personalisation"] == {
        "subject": "Package M1001: we have recorded your decline",
        "body": notice.body,
        "reply_to": reply_address(notice.pk),
    }
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT


def test_a_wrong_api_key_is_refused_by_notify_and_the_notice_retried(
    notify, council, package, settings
):
    """The fake checks the JWT's signature: a key with another secret is a 403, so the
    check is real; the outbox keeps the notice for a retry."""
    wrong = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    settings.MAILERS["default"]["OPTIONS"]["api_key"] = wrong
    settings.MAILERS = dict(settings.MAILERS)  # tell Django the mailers changed
    _queue(council, package, "decline:M1001:P4")
    report = _deliver()
    assert report.sent == [] and len(report.retrying) == 1
    assert notify.sent == [] and notify.rejected[0][0] == 403
    assert Notice.objects.get().status == NoticeStatus.PENDING


def test_a_retry_after_a_partial_failure_never_sends_an_address_twice(notify, council, package):
    """Notify takes one address a request: the provider is sent, its senior contact fails
    (Notify down for that request); the retry sends the senior contact only."""
    notify.refuse.add(SENIOR)
    notice = _queue(council, package, "decline:M1001:P5", cc=[SENIOR])
    assert len(_deliver().retrying) == 1
    assert [body["email_address"] for body in notify.sent] == [PROVIDER]
    notify.refuse.clear()
    notice.refresh_from_db()
    assert _deliver(notice.next_attempt_at).sent == ["decline:M1001:P5"]
    assert [body["email_address"] for body in notify.sent] == [PROVIDER, SENIOR]
    assert NotifySend.objects.filter(message_id=message_id(notice)).count() == 2
    assert _deliver(notice.next_attempt_at).sent == []  # sent: never again
    assert len(notify.sent) == 2


def test_attachments_are_named_in_the_body_with_where_to_download_them(notify, council, package):
    """Notify sends files only as open download links: the file is not sent; the body names
    it and says where to sign in for it."""
    workbook = ("2026 11 23 North batch report.xlsx", b"PK\x03\x04", "application/vnd.ms-excel")
    _queue(council, package, "decline:M1001:P6", attachments=[workbook])
    assert _deliver().sent == ["decline:M1001:P6"]
    [sent] = notify.sent
    body = sent["personalisation"]["body"]
    assert "not attached: 2026 11 23 North batch report.xlsx." in body
    assert "provider portal's Documents page" in body
    assert "PK" not in str(sent)


def _settings_in_a_process(tmp_path, **env):
    """Import the product's settings with `env`, as a deployment would; print the mailer."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "EMAIL_"))}
    base.update(DJANGO_SETTINGS_MODULE="carebroker.settings", CAREBROKER_VAR=str(tmp_path))
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**base, **env})  # fmt: skip


@pytest.mark.slow  # subprocesses
def test_carebroker_email_notify_chooses_notify_and_names_a_missing_setting(tmp_path):
    chosen = _settings_in_a_process(
        tmp_path, CAREBROKER_EMAIL="notify", NOTIFY_API_KEY=API_KEY, NOTIFY_TEMPLATE_ID=TEMPLATE_ID
    )
    assert chosen.stdout.strip() == "carebroker.outbox.notify.NotifyEmailBackend", chosen.stderr
    missing = _settings_in_a_process(tmp_path, CAREBROKER_EMAIL="notify", NOTIFY_API_KEY=API_KEY)
    assert "NOTIFY_TEMPLATE_ID: required when CAREBROKER_EMAIL=notify" in missing.stderr
    wrong = _settings_in_a_process(tmp_path, CAREBROKER_EMAIL="pigeon")
    assert "CAREBROKER_EMAIL: 'smtp' or 'notify', not 'pigeon'" in wrong.stderr
    smtp = _settings_in_a_process(tmp_path, CAREBROKER_EMAIL="smtp")
    assert smtp.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", smtp.stderr
