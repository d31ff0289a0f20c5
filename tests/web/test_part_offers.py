"""A part offer says which part (issue 10 item 5): the days or sessions a provider can cover
reach the worker deciding on part offers, and a provider's decline reason reads as words."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.runner import do_tick, record_answer
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.sourcing.kent import NOW
from tests.web.pages import client_for, main_of

pytestmark = pytest.mark.django_db


def test_the_worker_sees_which_days_each_part_offer_covers():
    council = make_council("leics-short-breaks")
    area = make_area(council, "City", districts=["LE3"])
    provider = make_provider(council, areas={area: 1}, lots=[1], support_types=["group"])
    referrer = make_user(council, Role.REFERRER)
    person = make_person(council, postcode="LE3 9QP", date_of_birth=date(2015, 3, 2))
    referral = make_referral(
        council, person=person, referrer=referrer, documents=["manager_signature"]
    )
    package = make_package(council, referral=referral, area=area, lot=1, support_type="group")
    do_submit_referral(referral, NOW)
    part = Answer(
        NOW + timedelta(minutes=5), str(provider.pk), "offer",
        coverage="part", rate=Decimal("21.00"), text="Saturdays only, 10am to 4pm",
    )  # fmt: skip
    record_answer(package, part)
    package.refresh_from_db()
    do_tick(package, package.next_due)  # the deadline: only a part offer, the worker decides
    package.refresh_from_db()
    assert package.gate == "part_offer"
    page = main_of(client_for(referrer).get(f"/holds/{package.case_number}/"))
    assert "Part: Saturdays only, 10am to 4pm" in page
