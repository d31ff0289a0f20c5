"""A council's policy is read once per stored text (sourcing/market_db.py `policy_of`): the
worker's sweeps and the pages ask for it again and again, and an edit is seen at once."""

import pytest

from carebroker.councils.models import Council
from carebroker.engine.policy import PRESETS_DIR, PolicyError
from carebroker.sourcing.market_db import policy_of
from tests.factories import make_council

pytestmark = pytest.mark.django_db
KENT = (PRESETS_DIR / "kent-oppd.toml").read_text(encoding="utf-8")


def _stored(council: Council, text: str) -> Council:
    """The council as a sweep or a page reads it, after its policy text was stored."""
    Council.objects.filter(pk=council.pk).update(policy_toml=text)
    return Council.objects.get(pk=council.pk)


def test_the_second_load_of_a_councils_policy_does_not_read_it_again():
    """Each load is from a fresh row, as every sweep and page has; the policy read the first
    time is given again (a second reading would make a new, equal Policy)."""
    council = _stored(make_council("kent-oppd"), KENT)
    first = policy_of(council)
    assert policy_of(Council.objects.get(pk=council.pk)) is first
    preset = make_council("essex-lah")
    assert policy_of(Council.objects.get(pk=preset.pk)) is policy_of(preset)


def test_an_edited_policy_is_seen_at_the_next_load():
    council = _stored(make_council("kent-oppd"), KENT)
    assert policy_of(council).waiting_list.amber_from_days == 5
    edited = _stored(council, KENT.replace("amber_from_days = 5", "amber_from_days = 3"))
    assert policy_of(edited).waiting_list.amber_from_days == 3
    # back to the preset (no text of its own): the preset again, not the edited copy
    preset = _stored(council, "")
    assert policy_of(preset).waiting_list.amber_from_days == 5


def test_a_policy_that_cannot_be_read_is_refused_each_time_not_kept():
    council = _stored(make_council("kent-oppd"), KENT)
    policy_of(council)
    broken = _stored(council, "not [valid")
    for _ in range(2):
        with pytest.raises(PolicyError, match="not valid TOML"):
            policy_of(broken)
    assert policy_of(_stored(council, KENT)).waiting_list.amber_from_days == 5


def test_the_pages_the_reports_and_the_worker_share_one_policy_cache():
    """web/waiting_days, reports/council_policy and sourcing/market_db give the very same
    policy and calendar (one reading per council and text, not three); an edit is seen by
    all three at their next use."""
    from carebroker.reports.council_policy import policy_and_calendar as for_reports
    from carebroker.web.waiting_days import policy_and_calendar as for_pages

    council = _stored(make_council("kent-oppd"), KENT)
    policy, calendar = for_pages(council)
    assert policy_of(council) is policy
    again = Council.objects.get(pk=council.pk)
    assert for_reports(again)[0] is policy and for_reports(again)[1] is calendar
    edited = _stored(council, KENT.replace("amber_from_days = 5", "amber_from_days = 3"))
    assert for_reports(edited)[0].waiting_list.amber_from_days == 3
    assert for_pages(edited)[0] is policy_of(edited) is for_reports(edited)[0]
