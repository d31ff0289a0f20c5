"""queue_notice: written only inside the transaction of its cause, once per key."""

import pytest
from django.db import transaction

from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus
from carebroker.outbox.notices import (
    NoticeError,
    OutsideTransaction,
    PendingNotice,
    queue_notice,
    queue_notices,
)
from tests.factories import make_council, make_package
from tests.outbox.conftest import NOW
from tests.outbox.samples import SAMPLES

TO = ["alder@provider.example.org"]


def queue(council, package=None, *, key="award:M1001:P3", kind=NoticeKind.AWARD, **fields):
    fields.setdefault("to", TO)
    if "context" not in fields:
        fields["context"] = SAMPLES[kind]
    with transaction.atomic():
        return queue_notice(council=council, kind=kind, key=key, package=package, now=NOW, **fields)


@pytest.mark.django_db(transaction=True)
def test_queue_outside_a_transaction_is_refused(council, package):
    """A notice written outside a transaction could outlive the rollback of its cause."""
    with pytest.raises(OutsideTransaction, match=r"transaction\.atomic"):
        queue_notice(
            council=council,
            kind=NoticeKind.AWARD,
            key="award:M1001:P3",
            to=TO,
            context=SAMPLES[NoticeKind.AWARD],
            package=package,
            now=NOW,
        )
    assert not Notice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_notice_rolls_back_with_the_change_that_caused_it(council, package):
    """The notice and the state change commit together or not at all."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        package.status = "awarded"
        package.save()
        queue_notice(
            council=council,
            kind=NoticeKind.AWARD,
            key="award:M1001:P3",
            to=TO,
            context=SAMPLES[NoticeKind.AWARD],
            package=package,
            now=NOW,
        )
        raise Boom
    package.refresh_from_db()
    assert package.status == "sourcing"
    assert not Notice.objects.exists()


def test_same_key_twice_queues_once(council, package):
    """A retried state change queues the same key again: still one notice."""
    first = queue(council, package)
    again = queue(council, package, to=["someone.else@example.org"])
    assert again.pk == first.pk
    assert Notice.objects.count() == 1
    assert Notice.objects.get().to == TO


def test_same_key_in_two_councils_is_two_notices(council, package):
    """Mosaic IDs are unique per council only, so are keys (docs/architecture.md §9)."""
    other = make_council("essex-lah")
    queue(council, package)
    queue(other, make_package(other, case_number="M1001"))
    assert Notice.objects.filter(key="award:M1001:P3").count() == 2


def test_queued_notice_is_pending_and_due_now(council, package):
    """A new notice waits for the worker, due at once, rendered with its subject."""
    notice = queue(council, package, cc=["senior@provider.example.org"])
    assert notice.status == NoticeStatus.PENDING
    assert notice.next_attempt_at == NOW
    assert notice.created_at == NOW
    assert notice.attempts == 0
    assert notice.cc == ["senior@provider.example.org"]
    assert notice.subject == "Package M1001: awarded to you"
    assert "<h1" in notice.html and "M1001" in notice.html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "telegram"}, r"kind: 'telegram' is not a notice kind"),
        ({"to": []}, r"to: at least one address"),
        ({"to": "alder@provider.example.org"}, r"to: a list of addresses"),
        ({"to": ["not an address"]}, r"to: 'not an address' is not an email address"),
        ({"cc": ["senior@"]}, r"cc: 'senior@' is not an email address"),
        ({"key": ""}, r"key: must be 1 to 200 characters"),
        ({"context": {"recipient": "Alder"}}, r"award notice: missing start"),
        (
            {"kind": NoticeKind.CHASE, "context": {"recipient": "A", "deadline": "10:00"}},
            r"context deadline: must be a time zone aware datetime",
        ),
        (
            {"kind": NoticeKind.ESCALATION, "context": {**SAMPLES["escalation"], "level": "blue"}},
            r"context level: must be amber or red, not 'blue'",
        ),
        (
            {"kind": NoticeKind.REQUEST_SENT, "context": {**SAMPLES["request_sent"], "round": 2}},
            r"context round: must be interest or offer, not 2",
        ),
    ],
)
def test_bad_notice_is_refused_naming_the_field(council, package, fields, message):
    """Bad input gets a clear message naming the field, and writes nothing."""
    fields.setdefault("context", SAMPLES.get(fields.get("kind", NoticeKind.AWARD), {}))
    kind = fields.pop("kind", NoticeKind.AWARD)
    with pytest.raises(NoticeError, match=message):
        queue(council, package, kind=kind, **fields)
    assert not Notice.objects.exists()


def test_notice_without_package_needs_a_mosaic_id(council):
    """A returned referral has no package yet: the context names its Mosaic ID."""
    context = SAMPLES[NoticeKind.REFERRAL_RETURNED]
    with pytest.raises(NoticeError, match=r"missing mosaic_id"):
        queue(council, kind=NoticeKind.REFERRAL_RETURNED, key="returned:R1", context=context)
    notice = queue(
        council,
        kind=NoticeKind.REFERRAL_RETURNED,
        key="returned:R1",
        context={**context, "mosaic_id": "M2002"},
    )
    assert notice.subject == "Referral M2002 returned: information missing"


def test_package_of_another_council_is_refused(council):
    """A notice belongs to the council of its package."""
    other = make_council("essex-lah")
    with pytest.raises(NoticeError, match=r"package: .* belongs to another council"):
        queue(council, make_package(other))


@pytest.mark.django_db(transaction=True)
def test_queue_notices_in_bulk_writes_each_key_once(council, package):
    """The worker's batches queue their notices in bulk (queue_notices): a key already
    queued, or given twice, is still one notice, and the new ones are rendered as
    queue_notice renders them."""
    queue(council, package, key="award:M1001:P3")

    def pending(key):
        return PendingNotice.checked(
            council=council, kind=NoticeKind.AWARD, key=key, to=TO,
            context=SAMPLES[NoticeKind.AWARD], package=package, now=NOW,
        )  # fmt: skip

    with transaction.atomic():
        written = queue_notices(
            [pending("award:M1001:P3"), pending("award:M1001:P4"), pending("award:M1001:P4")]
        )
    assert written == 1
    assert sorted(Notice.objects.values_list("key", flat=True)) == [
        "award:M1001:P3",
        "award:M1001:P4",
    ]
    one, other = Notice.objects.order_by("key")
    assert (other.subject, other.body, other.html) == (one.subject, one.body, one.html)
    with pytest.raises(OutsideTransaction):
        queue_notices([pending("award:M1001:P5")])


@pytest.mark.django_db
def test_a_pending_notice_is_checked_when_made_naming_the_field(council, package):
    """A bad address fails where the notice is made (the package that gave it), not later
    in the bulk write of a whole batch."""
    with pytest.raises(NoticeError, match="to: 'not an address' is not an email address"):
        PendingNotice.checked(
            council=council, kind=NoticeKind.AWARD, key="award:M1001:P3", to=["not an address"],
            context=SAMPLES[NoticeKind.AWARD], package=package, now=NOW,
        )  # fmt: skip
