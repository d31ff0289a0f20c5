"""The broker's answer to a provider's question goes to every provider approached
(docs/policies.md §6.3), through the Leicestershire example's query on L3001."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.sourcing.actions import ActionError, do_answer_query
from carebroker.sourcing.models import Package, TimelineEvent
from tests.factories import make_user
from tests.sourcing.scenario_db import drive, load, read_example

pytestmark = pytest.mark.django_db

ANSWERED_AT = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
ANSWER = "Yes: free parking on the driveway, and the garden is fenced."


@pytest.fixture
def leics():
    loaded = load(read_example("leics-short-breaks"))
    drive(loaded)
    package = Package.objects.get(council=loaded.council, case_number="L3001")
    question = TimelineEvent.objects.get(package=package, type="query")
    broker = make_user(loaded.council, Role.BROKER)
    return package, question, broker


def test_answer_to_a_query_goes_to_every_provider_approached(leics):
    """§6.3: one query_answer notice per provider with a request on the package, to its
    main contact, carrying the question, the answer and the Mosaic ID and nobody's name."""
    package, question, broker = leics
    before = set(Notice.objects.values_list("pk", flat=True))
    event = do_answer_query(broker, package, question.pk, ANSWER, ANSWERED_AT)
    sent = Notice.objects.exclude(pk__in=before).filter(kind="query_answer")
    approached = {r.provider.contacts.get().email for r in package.requests.all()}
    assert len(approached) >= 2
    assert sorted(n.to[0] for n in sent) == sorted(approached)
    person = package.person
    for notice in sent:
        assert ANSWER in notice.body and question.details["text"] in notice.body
        assert "L3001" in notice.body and "L3001" in notice.subject
        assert person.name not in notice.body
        assert person.name.split()[-1] not in notice.body
        assert notice.key.startswith(f"query_answer:L3001:{question.pk}:")
    assert event.type == "query_answered" and event.actor == broker.username
    assert event.details["answer"] == ANSWER and event.details["question_event"] == question.pk


def test_no_question_notice_goes_out_before_the_broker_answers(leics):
    """§6.3 with issue 12 finding 10: the question is shared with the providers approached
    only with the broker's answer (the broker approves it); nothing goes out when asked."""
    package, question, _ = leics
    assert not Notice.objects.filter(package=package, kind="query_answer").exists()


def test_answering_the_same_question_twice_sends_nothing_more(leics):
    """Idempotent: the same event and answer again returns the first answer; no notice or
    event is added. Other words for an answered question are refused."""
    package, question, broker = leics
    first = do_answer_query(broker, package, question.pk, ANSWER, ANSWERED_AT)
    count = Notice.objects.count()
    again = do_answer_query(broker, package, question.pk, ANSWER, ANSWERED_AT.replace(hour=12))
    assert again.pk == first.pk
    assert Notice.objects.count() == count
    assert TimelineEvent.objects.filter(package=package, type="query_answered").count() == 1
    with pytest.raises(ActionError, match="already answered|was answered"):
        do_answer_query(broker, package, question.pk, "No parking.", ANSWERED_AT)
    assert Notice.objects.count() == count


def test_only_council_staff_may_answer_a_query(leics):
    """A referrer (or any non-staff user) is refused and nothing is written."""
    package, question, _ = leics
    referrer = make_user(package.council, Role.REFERRER)
    count = Notice.objects.count()
    with pytest.raises(PermissionDenied):
        do_answer_query(referrer, package, question.pk, ANSWER, ANSWERED_AT)
    assert Notice.objects.count() == count
    assert not TimelineEvent.objects.filter(type="query_answered").exists()


def test_an_empty_answer_or_a_named_person_is_refused_and_changes_nothing(leics):
    """The answer is required, and must not name the person (providers see only the
    provider view before an award, §6.2); a question not on the package is refused."""
    package, question, broker = leics
    count = Notice.objects.count()
    surname = package.person.name.split()[-1]
    cases = [(question.pk, "   ", "answer"), (question.pk, f"Ask {surname} first.", "answer"),
             (999999, ANSWER, "question")]  # fmt: skip
    for asked, answer, field in cases:
        with pytest.raises(ValidationError) as error:
            do_answer_query(broker, package, asked, answer, ANSWERED_AT)
        assert field in error.value.message_dict
    assert Notice.objects.count() == count
    assert not TimelineEvent.objects.filter(type="query_answered").exists()


def test_a_question_asked_by_telephone_is_answered_by_its_text(leics):
    """A question with no query event (asked by phone) is answered by its text: the
    answer goes to every provider approached, keyed by the new event."""
    package, _, broker = leics
    event = do_answer_query(
        broker, package, "Is there a hoist?", "No hoist is needed.", ANSWERED_AT
    )
    sent = Notice.objects.filter(key__startswith=f"query_answer:L3001:{event.pk}:")
    assert sent.count() == package.requests.values("provider").distinct().count()
    assert all("Is there a hoist?" in n.body for n in sent)
