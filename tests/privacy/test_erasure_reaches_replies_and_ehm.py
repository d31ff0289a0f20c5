"""Erasure and subject access reach beyond the packages (issue 12, personal data): the
providers' email replies about the person and the EHM returns' visit counts under the
person's Mosaic IDs (carebroker/exchange/personal_data.py)."""

import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest

from carebroker.exchange.models import EhmSubmission, InboundReply, ReplyStatus
from carebroker.placements.personal_data import erase_person, subject_access_zip
from carebroker.referrals.models import Person
from carebroker.sourcing.models import PackageStatus
from tests.factories import make_council, make_package, make_provider

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
VISITS = {"planned": 20, "delivered": 19, "late": 2, "missed": 1, "short": 0}


def _reply(council, provider, subject, text, answers=(), status=ReplyStatus.QUEUED):
    return InboundReply.objects.create(
        council=council, provider=provider, message_id=f"<{subject}-{text[:10]}@example.org>",
        received_at=NOW, read_at=NOW, sender="offers@alder.example.org", subject=subject,
        text=text, status=status, answers=list(answers),
    )  # fmt: skip


@pytest.fixture
def world():
    council = make_council("essex-lah")
    provider = make_provider(council)
    ours = make_package(council, status=PackageStatus.CANCELLED)
    theirs = make_package(council, status=PackageStatus.CANCELLED)
    person = Person.objects.get(pk=ours.person_id)
    case, other = ours.case_number, theirs.case_number
    replies = {
        "queued": _reply(council, provider, f"Re: {case}", f"{person.name} is known to us: yes"),
        "recorded": _reply(
            council, provider, "Re: packages", "Yes to the first one, 18.50",
            answers=[{"case": case, "action": "offer", "rate": "18.50"}],
            status=ReplyStatus.RECORDED,
        ),
        "longer id": _reply(council, provider, f"Re: {case}1", "not this person's"),
        "other": _reply(council, provider, f"Re: {other}", "about someone else"),
    }  # fmt: skip
    ehm = EhmSubmission.objects.create(
        council=council, provider=provider, period_start=date(2026, 10, 5),
        period_end=date(2026, 11, 1), received_at=NOW, file_name="alder oct.csv",
        file_sha256="0" * 64, late_after_minutes=15, short_by_minutes=5, planned_visits=40,
        delivered_visits=38, late_visits=4, missed_visits=2, short_visits=0,
        by_package={case: VISITS, other: VISITS},
    )  # fmt: skip
    return person, case, other, replies, ehm


def test_subject_access_includes_the_replies_and_ehm_visits_about_the_person(world):
    person, case, other, replies, ehm = world
    archive = zipfile.ZipFile(io.BytesIO(subject_access_zip(person, NOW, by="manager1")))
    held = json.loads(archive.read("person.json"))
    subjects = [reply["subject"] for reply in held["email_replies_from_providers"]]
    assert sorted(subjects) == sorted([f"Re: {case}", "Re: packages"])
    recorded = next(
        r for r in held["email_replies_from_providers"] if r["subject"] == "Re: packages"
    )
    assert recorded["answers_read"] == [{"case": case, "action": "offer", "rate": "18.50"}]
    [visits] = held["ehm_visit_returns"]
    assert visits["visits"] == {case: VISITS}
    assert other not in json.dumps(held["ehm_visit_returns"])


def test_erasure_removes_the_replies_texts_and_the_ehm_visits_of_the_person_only(world):
    person, case, other, replies, ehm = world
    erase_person(person, NOW, by="manager1", why="asked by the person")
    for key in ("queued", "recorded"):
        reply = InboundReply.objects.get(pk=replies[key].pk)
        assert (reply.subject, reply.text) == ("(erased)", "(erased)"), key
    recorded = InboundReply.objects.get(pk=replies["recorded"].pk)
    assert recorded.answers == [{"case": case, "action": "offer", "rate": "18.50"}]
    for key in ("longer id", "other"):  # another person's replies are untouched
        reply = InboundReply.objects.get(pk=replies[key].pk)
        assert reply.text == replies[key].text, key
    kept = EhmSubmission.objects.get(pk=ehm.pk)
    assert kept.by_package == {other: VISITS}
    assert (kept.planned_visits, kept.late_visits) == (40, 4)  # the totals stay
    # Nothing of the person is left to export from them.
    archive = zipfile.ZipFile(io.BytesIO(subject_access_zip(person, NOW, by="manager1")))
    held = json.loads(archive.read("person.json"))
    assert held["ehm_visit_returns"] == []
    assert all(r["text"] == "(erased)" for r in held["email_replies_from_providers"])
