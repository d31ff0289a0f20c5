"""Kent's Provider Confirmation Form in the portal (portal/confirmation.py, docs/policies.md §5
After acceptance): the winner returns the start date, call times and carer notes; the engine
records `confirmed` and starts the Service Delivery Order and financial assessment clocks. A
start date before today is refused on its field, and nothing changes."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.models import TimelineEvent
from tests.factories import make_user
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
# Tuesday 24 November 2026, 10:00 in London: the day after the acceptance.
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _awarded():
    kent = kent_cluster()
    package = kent.packages[0]
    winner = kent.providers[0]
    accept = Answer(at=NOW + timedelta(minutes=5), provider=str(winner.pk), action="accept")
    runner.record_answer(package, accept)
    user = make_user(kent.council, Role.PROVIDER, provider=winner)
    package.refresh_from_db()
    return kent, package, client_for(user)


def _post(client, package, day, month, year, call_times="08:00 and 18:00", notes=""):
    with clock(TUESDAY):
        return client.post(
            f"/portal/awarded/{package.case_number}/confirmation/",
            {"start_day": day, "start_month": month, "start_year": year, "call_times": call_times,
             "carer_notes": notes},
        )  # fmt: skip


def test_the_winner_returns_the_confirmation_form_and_the_sdo_clock_starts():
    """Confirmed Tuesday 10:00: SDO due Thursday 10:00, financial assessment Monday 10:00."""
    _, package, client = _awarded()
    response = _post(client, package, "7", "12", "2026", notes="Ann visits first")
    assert response.status_code == 302
    confirmed = TimelineEvent.objects.get(package=package, type="confirmed")
    assert confirmed.details == {
        "provider": str(package.awarded_provider_id),
        "start": "2026-12-07",
        "call_times": "08:00 and 18:00",
        "carer_notes": "Ann visits first",
    }
    sdo = TimelineEvent.objects.get(package=package, type="service_delivery_order_due")
    finance = TimelineEvent.objects.get(package=package, type="financial_assessment_due")
    assert (sdo.details["due"], finance.details["due"]) == (
        "2026-11-26T10:00:00Z", "2026-11-30T10:00:00Z")  # fmt: skip


def test_a_confirmation_with_a_start_before_today_is_refused_on_its_field():
    _, package, client = _awarded()
    response = _post(client, package, "23", "11", "2026")
    assert response.status_code == 400
    page = main_of(response)
    assert "The start date must be today or in the future" in page
    assert 'href="#id_start_day">The start date must be today or in the future</a>' in page
    assert not TimelineEvent.objects.filter(package=package, type="confirmed").exists()


def test_a_confirmation_without_call_times_names_the_field_and_changes_nothing():
    _, package, client = _awarded()
    response = _post(client, package, "7", "12", "2026", call_times="")
    assert response.status_code == 400
    assert "Enter the call times" in main_of(response)
    assert not TimelineEvent.objects.filter(package=package, type="confirmed").exists()


def test_another_provider_cannot_open_the_winners_confirmation_form():
    kent, package, _ = _awarded()
    other = client_for(make_user(kent.council, Role.PROVIDER, provider=kent.providers[1]))
    response = _post(other, package, "7", "12", "2026")
    assert response.status_code == 404
    assert not TimelineEvent.objects.filter(package=package, type="confirmed").exists()


def test_the_history_page_links_the_winner_to_its_confirmation_form():
    _, package, client = _awarded()
    with clock(TUESDAY):
        page = main_of(client.get("/portal/history/"))
    assert f'href="/portal/awarded/{package.case_number}/confirmation/"' in page
