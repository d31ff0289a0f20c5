"""Issue 11 finding 7: one urgency rule (docs/policies.md §4.1), counted from the day of
referral, in the engine, the batch page, the batch email and the .xlsx alike.

M4001 (North) is urgent by its dates only: referred Friday 20 November, preferred start
Tuesday 24 (2 working days), no flag ticked. M4009 was referred on Wednesday 18 November and
prefers Tuesday 24 too: 4 working days after its referral, so not urgent, although the
Friday report is only 2 working days before it."""

from datetime import UTC, date, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.exchange.batch_report import batch_reports
from carebroker.exchange.provider_lists import send_batch_reports
from carebroker.outbox.models import Notice
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import TimelineEvent
from tests.exchange.batch_world import BATCH_DAY, FRIDAY_11, FRIDAY_16, essex_batch
from tests.exchange.test_batch_report import rows_of
from tests.factories import make_package, make_person, make_referral, make_user
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)


def _world():
    world = essex_batch(issue=False)
    person = make_person(world.council)
    referral = make_referral(world.council, person=person, received_at=WEDNESDAY)
    world.packages["M4009"] = make_package(
        world.council,
        case_number="M4009",
        referral=referral,
        area=world.north,
        preferred_start=date(2026, 11, 24),
    )
    do_submit_referral(referral, FRIDAY_11)
    return world


def _urgent_in_engine(package) -> bool:
    event = TimelineEvent.objects.get(package=package, type="referral_received")
    return bool(event.details["urgent"])


def test_batch_page_email_xlsx_and_engine_agree_on_urgency_by_the_dates():
    world = _world()
    broker = make_user(world.council, Role.BROKER)
    with clock(datetime(2026, 11, 20, 15, 0, tzinfo=UTC)):
        page = main_of(client_for(broker).get("/batch/"))
    table = page.split(f'id="batch-{world.north.pk}"')[1].split("</table>")[0]
    rows = {
        case: table.split(f'data-package="{case}"')[1].split("</tr>")[0]
        for case in ("M4001", "M4009")
    }
    advance_due(FRIDAY_16)
    assert send_batch_reports(FRIDAY_16)
    [north] = [w for w in batch_reports(world.council, BATCH_DAY) if w.area == "North"]
    _, sheet = rows_of(north.content)
    xlsx = {r["Mosaic ID"]: r["Urgent"] for r in sheet}
    email = Notice.objects.filter(kind="batch_report", body__contains="M4001").first()
    assert email is not None
    lines = {
        case: next(line for line in email.body.splitlines() if case in line)
        for case in ("M4001", "M4009")
    }
    # M4001: urgent by its dates everywhere
    assert _urgent_in_engine(world.packages["M4001"])
    assert "Urgent" in rows["M4001"]
    assert xlsx["M4001"] == "URGENT"
    assert "(URGENT)" in lines["M4001"]
    # M4009: not urgent anywhere (counted from its referral, not from the report's day)
    assert not _urgent_in_engine(world.packages["M4009"])
    assert "Urgent" not in rows["M4009"]
    assert xlsx["M4009"] is None
    assert "(URGENT)" not in lines["M4009"]
