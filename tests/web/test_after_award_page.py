"""Kent after acceptance on the package page (web/views/after_award.py): the steps due with
their due times; the Provider Confirmation Form taken by phone (a start before today refused
on its field, nothing changed); the Service Delivery Order recorded as sent clears its step."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.models import TimelineEvent
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _awarded():
    kent = kent_cluster()
    package = kent.packages[0]
    accept = Answer(at=NOW + timedelta(minutes=5), provider=str(kent.providers[0].pk),
                    action="accept")  # fmt: skip
    runner.record_answer(package, accept)
    return kent, package, client_for(kent.broker)


def _confirm(client, package, day="7", month="12"):
    with clock(TUESDAY):
        return client.post(
            f"/packages/{package.case_number}/confirmation/",
            {"confirm-start_day": day, "confirm-start_month": month, "confirm-start_year": "2026",
             "confirm-call_times": "08:00 and 18:00"},
        )  # fmt: skip


def test_the_page_lists_the_confirmation_form_due_and_overdue_in_words():
    _, package, client = _awarded()
    with clock(TUESDAY):
        page = main_of(client.get(f"/packages/{package.case_number}/"))
    steps = page.split("data-after-award-steps")[1].split("</dl>")[0]
    assert "The Provider Confirmation Form" in steps
    assert "Due by 12:05 on Monday 23 November 2026" in steps
    assert "Overdue" in steps
    assert "confirmation_form_due" not in page.split('id="timeline"')[0]


def test_a_confirmation_by_phone_with_a_start_before_today_is_refused_on_its_field():
    _, package, client = _awarded()
    response = _confirm(client, package, day="20", month="11")
    assert response.status_code == 400
    page = main_of(response)
    assert "The start date must be today or in the future" in page
    assert not TimelineEvent.objects.filter(package=package, type="confirmed").exists()


def test_a_confirmation_by_phone_is_recorded_and_the_sdo_then_recorded_as_sent():
    kent, package, client = _awarded()
    assert _confirm(client, package, day="20", month="11").status_code == 400
    response = _confirm(client, package)
    assert response.status_code == 302
    confirmed = TimelineEvent.objects.get(package=package, type="confirmed")
    assert confirmed.details["start"] == "2026-12-07"
    audit = TimelineEvent.objects.get(package=package, type="phone_answer_recorded")
    assert audit.actor == kent.broker.get_username()
    with clock(TUESDAY + timedelta(hours=1)):
        page = main_of(client.get(f"/packages/{package.case_number}/"))
        assert 'data-step="service_delivery_order"' in page
        done = client.post(f"/packages/{package.case_number}/steps/service_delivery_order/")
        assert done.status_code == 302
        page = main_of(client.get(f"/packages/{package.case_number}/"))
    assert 'data-step="service_delivery_order"' not in page
    assert 'data-step="financial_assessment"' in page
