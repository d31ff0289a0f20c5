"""Issue 11 finding 3: the award notice gives the agreed start, never a preferred start that
has already passed (a Kent award said "to start from Saturday 21 November 2026")."""

from datetime import date, timedelta

import pytest

from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
from carebroker.sourcing import runner
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db


def _award(start: date | None, preferred: date) -> Notice:
    kent = kent_cluster()
    package = kent.packages[0]
    package.preferred_start = preferred
    package.save(update_fields=["preferred_start"])
    first = str(kent.providers[0].pk)
    at = NOW + timedelta(minutes=30)
    runner.record_answer(package, Answer(at, first, "accept", start=start), now=at)
    return Notice.objects.get(package=package, kind="award")


def test_award_notice_gives_the_start_the_provider_accepted_with():
    notice = _award(date(2026, 12, 7), preferred=date(2026, 12, 14))
    assert "to start from Monday 7 December 2026" in notice.body
    assert "14 December" not in notice.body


def test_award_notice_never_gives_a_preferred_start_already_past():
    """No start agreed and the preferred start (Saturday 21 November) before the award day
    (Monday 23 November): the notice says the start is still to be agreed."""
    notice = _award(None, preferred=date(2026, 11, 21))
    assert "21 November" not in notice.body
    assert "The start date is not agreed yet" in notice.body


def test_award_notice_gives_a_preferred_start_still_to_come():
    notice = _award(None, preferred=date(2026, 12, 14))
    assert "to start from Monday 14 December 2026" in notice.body
