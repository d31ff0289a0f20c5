"""Questions from providers on the package page (docs/policies.md §6.3): listed with a form to
answer each; the answer (PRG, banner) goes to every provider approached; an empty answer
is an error on its field and changes nothing."""

from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.sourcing.models import Package, TimelineEvent
from tests.factories import make_user
from tests.sourcing.scenario_db import drive, load, read_example
from tests.web.pages import client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
ANSWER = "Yes: free parking on the driveway."


@pytest.fixture
def leics():
    loaded = load(read_example("leics-short-breaks"))
    drive(loaded)
    package = Package.objects.get(council=loaded.council, case_number="L3001")
    question = TimelineEvent.objects.get(package=package, type="query")
    return package, question, make_user(loaded.council, Role.BROKER)


def _post(client, package, data):
    with clock(NOW):
        return client.post(f"/packages/{package.case_number}/query-answer/", data, follow=True)


def test_questions_from_providers_are_listed_with_a_form_to_answer(leics):
    """The page lists the provider's question (its text, who asked) with an answer form."""
    package, question, broker = leics
    with clock(NOW):
        page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    section = page.split('id="questions"')[1].split('id="timeline"')[0]
    assert question.details["text"] in section
    assert f'name="query-question" value="{question.pk}"' in section
    assert f'id="id_q{question.pk}_query-answer"' in section


def test_answering_sends_it_to_every_provider_and_shows_the_answer(leics):
    """POST redirects to the page with a banner; one notice per provider approached; the
    question now shows its answer instead of the form."""
    package, question, broker = leics
    client = client_for(broker)
    before = Notice.objects.count()
    response = _post(client, package, {"query-question": question.pk, "query-answer": ANSWER})
    assert response.redirect_chain[-1][0] == f"/packages/{package.case_number}/"
    providers = package.requests.values("provider").distinct().count()
    assert f"sent to the {providers} providers approached" in response.content.decode()
    assert Notice.objects.count() == before + providers
    section = main_of(response).split('id="questions"')[1].split('id="timeline"')[0]
    assert ANSWER in section and "data-answer" in section
    assert f'id="id_q{question.pk}_query-answer"' not in section
    again = _post(client, package, {"query-question": question.pk, "query-answer": ANSWER})
    assert "already answered" in again.content.decode()
    assert Notice.objects.count() == before + providers


def test_an_empty_answer_is_an_error_on_its_field_and_changes_nothing(leics):
    """An empty answer: 400, the page again with the error by the field, nothing sent."""
    package, question, broker = leics
    before = Notice.objects.count()
    response = _post(
        client_for(broker), package, {"query-question": question.pk, "query-answer": " "}
    )
    assert response.status_code == 400
    page = main_of(response)
    assert (
        field_error(page, f"id_q{question.pk}_query-answer") == "Enter the answer to the question"
    )
    assert "There is a problem" in page
    assert Notice.objects.count() == before
    assert not TimelineEvent.objects.filter(type="query_answered").exists()


def test_a_referrer_cannot_answer_a_query(leics):
    """Only brokers and managers: a referrer's POST is refused and sends nothing."""
    package, question, _ = leics
    referrer = make_user(package.council, Role.REFERRER)
    before = Notice.objects.count()
    with clock(NOW):
        response = client_for(referrer).post(
            f"/packages/{package.case_number}/query-answer/",
            {"query-question": question.pk, "query-answer": ANSWER},
        )
    assert response.status_code in (302, 403, 404)
    assert Notice.objects.count() == before


def test_a_providers_question_reaches_no_rival_before_a_broker_approves_it(leics):
    """Issue 12 finding 10: a question carrying a price, a name and a phone number went at
    once to every competing provider. Now nothing about it is sent until a broker answers
    (and so approves) it."""
    package, question, broker = leics
    assert not Notice.objects.filter(kind="query_answer").exists()
    assert question.details["text"]  # the question itself is kept for the broker


def test_the_broker_edits_the_question_and_the_answer_goes_with_it(leics):
    """The broker shares the question in their own words: every provider approached gets
    the edited question and the answer; the provider's own words reach no one."""
    package, question, broker = leics
    asked = question.details["text"]
    edited = "Can the sessions be at weekends?"
    _post(
        client_for(broker),
        package,
        {"query-question": question.pk, "query-answer": ANSWER, "query-shared": edited},
    )
    sent = list(Notice.objects.filter(kind="query_answer"))
    assert len(sent) == package.requests.values("provider").distinct().count()
    for notice in sent:
        assert edited in notice.body and ANSWER in notice.body
        assert asked not in notice.body
    answered = TimelineEvent.objects.get(type="query_answered")
    assert answered.details["question"] == edited and answered.details["asked"] == asked


def test_the_form_offers_the_question_to_edit(leics):
    package, question, broker = leics
    with clock(NOW):
        page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    section = page.split('id="questions"')[1].split('id="timeline"')[0]
    assert f'id="id_q{question.pk}_query-shared"' in section
    assert "as providers will see it" in section
