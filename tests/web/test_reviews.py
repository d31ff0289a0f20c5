"""Placements' reviews (PIR) on staff pages (docs/policies.md §5 Reviews; issue 11).

Kent: the first provider accepts on Monday 23 November 2026 and confirms a start of Monday
7 December; the person is new to the team, so the review is held from Monday 21 December
2026 to Monday 1 February 2027.
"""

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.reviews import due_reviews
from tests.factories import PASSWORD
from tests.sourcing.kent import kent_cluster

pytestmark = pytest.mark.django_db
REFERRED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Clock:
    now = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with mock.patch("django.utils.timezone.now", side_effect=lambda: Clock.now):
        yield Clock
    Clock.now = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def placed():
    kent = kent_cluster(packages=1, now=REFERRED)
    (row,) = kent.packages
    winner = str(kent.providers[0].pk)
    for answer in (
        Answer(at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC), provider=winner, action="accept"),
        Answer(at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC), provider=winner, action="confirm",
               start=date(2026, 12, 7), call_times="08:00"),
    ):  # fmt: skip
        assert runner.record_answer(row, answer).counted
    return kent, row


def _client(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _unchanged(row):
    return (
        Package.objects.get(pk=row.pk).status,
        TimelineEvent.objects.filter(package=row).count(),
        Notice.objects.filter(package=row).count(),
    )


@pytest.mark.parametrize(
    ("today", "state"),
    [(date(2026, 12, 20), "upcoming"), (date(2026, 12, 21), "due"), (date(2027, 2, 1), "due"),
     (date(2027, 2, 2), "overdue")],
)  # fmt: skip
def test_a_new_persons_review_is_due_from_two_weeks_and_overdue_after_eight(placed, today, state):
    kent, row = placed
    (line,) = due_reviews(kent.council, today)
    assert (line.package.pk, line.state) == (row.pk, state)
    assert (line.opens, line.date.due) == (date(2026, 12, 21), date(2027, 2, 1))


def test_the_review_list_shows_due_and_overdue_reviews_in_words(placed, client, clock):
    kent, row = placed
    Clock.now = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)
    page = _client(client, kent.broker).get("/reviews/").content.decode()
    assert row.case_number in page and "Overdue" in page
    assert "Monday 1 February 2027" in page and "Monday 21 December 2026" in page
    assert "review_due" not in page


def test_a_review_outcome_is_recorded_on_the_timeline_and_told_to_the_referrer(
    placed, client, clock
):
    kent, row = placed
    web = _client(client, kent.broker)
    response = web.post(f"/packages/{row.case_number}/review/",
                        {"outcome": "continue", "notes": "All going well"})  # fmt: skip
    assert response.status_code == 302
    reviewed = TimelineEvent.objects.get(package=row, type="reviewed")
    assert (reviewed.details["outcome"], reviewed.actor) == ("continue", kent.broker.username)
    notice = Notice.objects.get(package=row, kind="review_outcome")
    assert notice.to == [row.referral.referrer.email]
    assert "Outcome: the placement continues as it is." in notice.body
    assert "Notes from the review: All going well" in notice.body
    page = web.get(f"/packages/{row.case_number}/").content.decode()
    assert "Review held" in page and "The placement continues as it is" in page
    assert due_reviews(kent.council, date(2027, 2, 2)) == []


def test_a_change_of_hours_at_review_sources_the_package_again_as_a_change(placed, client, clock):
    kent, row = placed
    web = _client(client, kent.broker)
    response = web.post(f"/packages/{row.case_number}/review/",
                        {"outcome": "change_hours", "hours_per_week": "21"})  # fmt: skip
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.hours_per_week, row.change_to_existing) == ("sourcing", 21, True)
    assert row.current_provider_id == kent.providers[0].pk
    notice = Notice.objects.get(package=row, kind="review_outcome")
    assert "21 hours a week" in notice.body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "outcome", "Select the outcome of the review"),
        ({"outcome": "pause"}, "outcome", "Select one of the outcomes listed"),
        ({"outcome": "change_hours"}, "hours_per_week", "Enter the new hours a week, like 10.5"),
        ({"outcome": "change_hours", "hours_per_week": "lots"}, "hours_per_week",
         "Enter the new hours a week as a number, like 10.5"),
    ],
)  # fmt: skip
def test_bad_review_input_names_the_field_and_changes_nothing(
    placed, client, clock, fields, field, message
):
    kent, row = placed
    before = _unchanged(row)
    response = _client(client, kent.broker).post(f"/packages/{row.case_number}/review/", fields)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert "There is a problem" in response.content.decode()
    assert _unchanged(row) == before
