"""Kent after acceptance on the package page (web/views/after_award.py): the steps due with
their due times; the Provider Confirmation Form taken by phone (a start before today refused
on its field, nothing changed); the Service Delivery Order sent clears its step, and is made,
kept with the package and emailed to the winner (a winner with no hourly rate: refused in
words, nothing recorded)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.sourcing import runner
from carebroker.sourcing.models import TimelineEvent
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _awarded(rate="23.40"):
    kent = kent_cluster()
    kent.providers[0].framework_hourly_rate = Decimal(rate) if rate else None
    kent.providers[0].save()
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


def test_sending_the_sdo_makes_it_keeps_it_and_emails_it_to_the_winner():
    """Before, the button only recorded an SDO the app never made: no document, no email."""
    kent, package, client = _awarded()
    assert _confirm(client, package).status_code == 302
    with clock(TUESDAY + timedelta(hours=1)):
        done = client.post(f"/packages/{package.case_number}/steps/service_delivery_order/")
        assert done.status_code == 302
        page = main_of(client.get(f"/packages/{package.case_number}/"))
    sdo = PlacementDocument.objects.get(package=package, kind=DocumentKind.SERVICE_DELIVERY_ORDER)
    assert sdo.provider == kent.providers[0] and sdo.filename in page
    notice = Notice.objects.get(package=package, kind="service_delivery_order")
    assert notice.to == [kent.providers[0].contacts.first().email]
    assert "care starts on Monday 7 December 2026, with calls at 08:00 and 18:00" in notice.body
    assert [a.filename for a in notice.attachments.all()] == [sdo.filename]
    assert "Service Delivery Order sent" in page.split('id="timeline"')[1]


def test_an_sdo_for_a_winner_with_no_hourly_rate_is_refused_in_words_and_nothing_recorded():
    _, package, client = _awarded(rate=None)
    assert _confirm(client, package).status_code == 302
    with clock(TUESDAY + timedelta(hours=1)):
        refused = client.post(f"/packages/{package.case_number}/steps/service_delivery_order/")
    assert refused.status_code == 400
    summary = main_of(refused).split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert "The Service Delivery Order cannot be made" in summary and "no hourly rate" in summary
    assert not TimelineEvent.objects.filter(package=package, type="service_delivery_order_sent")
    assert not PlacementDocument.objects.filter(package=package, kind="sdo").exists()
    assert not Notice.objects.filter(package=package, kind="service_delivery_order").exists()
