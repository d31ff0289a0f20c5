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
