"""A broker's "today" (web/views/today.py): every step due or overdue in the council, sorted
by due time with its RAG, each linking to the page that clears it; the count in the header."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from tests.factories import make_council, make_user
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _kent_with_a_confirmed_and_an_awarded_package():
    kent = kent_cluster(packages=2)
    first, second = kent.packages
    winner = str(kent.providers[0].pk)
    runner.record_answer(first, Answer(at=NOW + timedelta(minutes=5), provider=winner,
                                       action="accept"))  # fmt: skip
    runner.record_answer(second, Answer(at=NOW + timedelta(minutes=10), provider=winner,
                                        action="accept"))  # fmt: skip
    runner.record_answer(second, Answer(at=NOW + timedelta(minutes=30), provider=winner,
                                        action="confirm", start=datetime(2026, 12, 7).date(),
                                        call_times="08:00"))  # fmt: skip
    return kent, first, second


def test_today_lists_each_step_due_soonest_first_with_its_rag_and_its_link():
    """Tuesday 10:00: the first package's confirmation form was due Monday 12:05 (red); the
    second's SDO is due Wednesday 10:30 (green) and its financial assessment Friday."""
    kent, first, second = _kent_with_a_confirmed_and_an_awarded_package()
    with clock(TUESDAY):
        page = main_of(client_for(kent.broker).get("/today/"))
    table = page.split("data-today-steps")[1]
    rows = table.split('data-step-rag="')[1:]
    assert [row.split('"')[0] for row in rows] == ["red", "green", "green"]
    assert "The Provider Confirmation Form" in rows[0] and first.case_number in rows[0]
    assert f'href="/packages/{first.case_number}/#after-award"' in rows[0]
    assert "Overdue" in rows[0]
    assert "The Service Delivery Order" in rows[1] and second.case_number in rows[1]
    assert "12:05 on Monday 23 November 2026" in rows[0]
    assert "confirmation_form" not in page


def test_the_header_counts_the_steps_due_now_or_overdue():
    kent, _, _ = _kent_with_a_confirmed_and_an_awarded_package()
    with clock(TUESDAY):
        fragment = client_for(kent.broker).get("/today/count/").content.decode()
    assert 'data-today="1"' in fragment


def test_another_councils_broker_sees_none_of_these_steps():
    _kent_with_a_confirmed_and_an_awarded_package()
    other = make_user(make_council("kent-oppd"), "broker")
    with clock(TUESDAY):
        page = main_of(client_for(other).get("/today/"))
    assert "Nothing is due." in page


# -- handbacks and reviews (docs/policies.md §5 Handbacks, Reviews) ---------------------

ACCEPTED = NOW + timedelta(minutes=5)  # Monday 23 November 2026, 10:05 in London


def _placed(packages=2, confirm=False):
    kent = kent_cluster(packages=packages)
    winner = str(kent.providers[0].pk)
    for row in kent.packages:
        runner.record_answer(row, Answer(at=ACCEPTED, provider=winner, action="accept"))
        if confirm:
            runner.record_answer(row, Answer(at=ACCEPTED + timedelta(minutes=10), provider=winner,
                                             action="confirm", start=datetime(2026, 12, 7).date(),
                                             call_times="08:00"))  # fmt: skip
    return kent, winner


def _rows(page):
    table = page.split("data-today-steps")[1]
    return table.split('data-step-rag="')[1:]


def _with(rows, words):
    return [row for row in rows if words in row]


def test_today_lists_the_managers_call_after_a_multiple_handback_and_the_call_clears_it():
    """Two packages handed back with notice on Tuesday 24 November 10:00 (care ends Monday
    7 December): the call is due Wednesday 10:00, on each package; amber on Wednesday, red
    after; recording the call on one package clears it on both."""
    kent, winner = _placed(confirm=True)
    notice = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    ends = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    for row in kent.packages:
        answer = Answer(
            at=notice, provider=winner, action="handback_notice", reason="staffing", until=ends
        )
        runner.record_answer(row, answer)
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with clock(wednesday):
        page = main_of(client_for(kent.manager).get("/today/"))
        count = client_for(kent.manager).get("/today/count/").content.decode()
    calls = _with(_rows(page), "Call the provider about the packages it hands back")
    assert [row.split('"')[0] for row in calls] == ["amber", "amber"]
    first = kent.packages[0].case_number
    assert any(f'href="/packages/{first}/#handback-call"' in row for row in calls)
    assert "10:00 on Wednesday 25 November 2026" in calls[0]
    due_now = [r for r in _rows(page) if not r.startswith("green")]
    assert f'data-today="{len(due_now)}"' in count and len(due_now) >= 2
    with clock(wednesday):
        shown = main_of(client_for(kent.manager).get(f"/packages/{first}/"))
        done = client_for(kent.manager).post(f"/packages/{first}/handback-call/")
    assert 'id="handback-call"' in shown and "Record the call as held" in shown
    assert done.status_code == 302
    with clock(wednesday + timedelta(hours=2)):
        page = main_of(client_for(kent.manager).get("/today/"))
    assert "Call the provider" not in page
    assert "handback_call" not in page


def test_today_lists_a_package_handed_back_until_it_is_placed_again():
    kent, winner = _placed(packages=1, confirm=True)
    (row,) = kent.packages
    handed_back = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    runner.record_answer(row, Answer(at=handed_back, provider=winner, action="handback",
                                     reason="staffing"))  # fmt: skip
    with clock(handed_back + timedelta(hours=1)):
        page = main_of(client_for(kent.broker).get("/today/"))
        count = client_for(kent.broker).get("/today/count/").content.decode()
    (step,) = _with(_rows(page), "Handed back: place the package again")
    assert step.startswith("red") and f'href="/packages/{row.case_number}/"' in step
    assert "10:00 on Wednesday 25 November 2026" in step
    assert 'data-today="1"' in count
    (request,) = row.requests.filter(outcome="open")  # sourced again from the cluster
    again = Answer(at=handed_back + timedelta(hours=1), provider=str(request.provider_id),
                   action="accept")  # fmt: skip
    assert runner.record_answer(row, again).counted
    with clock(handed_back + timedelta(hours=3)):
        page = main_of(client_for(kent.broker).get("/today/"))
    assert "Handed back" not in page


def test_today_lists_reviews_due_and_overdue_with_the_link_to_record_them():
    """Started Monday 7 December, new to the team: the review may be held from Monday 21
    December and is due by Monday 1 February 2027 (sourcing/reviews.py)."""
    kent, _ = _placed(packages=1, confirm=True)
    (row,) = kent.packages
    with clock(datetime(2026, 12, 14, 10, 0, tzinfo=UTC)):  # window not open yet
        assert "Hold the review" not in main_of(client_for(kent.broker).get("/today/"))
    with clock(datetime(2027, 1, 4, 10, 0, tzinfo=UTC)):  # open, its last day later
        (due,) = _with(_rows(main_of(client_for(kent.broker).get("/today/"))), "Hold the review")
    assert due.startswith("green") and "Due later" in due
    assert f'href="/packages/{row.case_number}/review/"' in due
    assert "Monday 1 February 2027" in due
    with clock(datetime(2027, 2, 1, 10, 0, tzinfo=UTC)):  # its last day
        (due,) = _with(_rows(main_of(client_for(kent.broker).get("/today/"))), "Hold the review")
    assert due.startswith("amber")
    with clock(datetime(2027, 2, 2, 10, 0, tzinfo=UTC)):  # overdue
        page = main_of(client_for(kent.broker).get("/today/"))
        count = client_for(kent.broker).get("/today/count/").content.decode()
    (overdue,) = _with(_rows(page), "Hold the review")
    assert overdue.startswith("red") and "Overdue" in overdue
    assert 'data-today="' in count and 'data-today="0"' not in count
