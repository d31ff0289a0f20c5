"""The answer form as a provider meets it: each answer's details are GOV.UK conditional
reveals, dates are the GOV.UK date input, the hourly rate is asked only where the council
does not pay a fixed framework rate, and a part offer says which part (issue 10 item 5)."""

from datetime import UTC, date, datetime

import pytest

from carebroker.engine.policy import PRESETS_DIR
from carebroker.engine.policy_reader import load_policy
from carebroker.portal.forms import AnswerForm, asks_rate, parse_time
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.portal.worlds import NOW, kent_world

STAGE_ANSWERS = ("accept", "offer", "considering", "query", "decline")


def _stage(preset: str, name: str):
    policy = load_policy(PRESETS_DIR / f"{preset}.toml")
    return policy, next(s for s in policy.stages if s.name == name)


@pytest.mark.parametrize(
    ("preset", "stage", "asked"),
    [
        ("essex-lah", "batch", False),  # every Essex award is at the framework rate (§4)
        ("essex-lah", "urgent", False),
        ("essex-lah", "open_market", True),  # providers propose rates there
        ("kent-oppd", "cluster", True),  # each Kent provider's own contracted price
        ("leics-short-breaks", "framework", True),  # the best price wins (§6.3)
    ],
)
def test_the_hourly_rate_is_asked_only_where_the_council_does_not_fix_it(preset, stage, asked):
    policy, row = _stage(preset, stage)
    assert asks_rate(policy, row) is asked
    form = AnswerForm(actions=("offer",), kind=row.kind, now=NOW, asks_rate=asked)
    assert ("rate" in form.fields) is asked
    html = form["action"].as_field_group()
    assert ('name="rate"' in html) is asked


def test_each_answers_details_sit_in_a_hidden_conditional_reveal_under_its_radio():
    form = AnswerForm(actions=STAGE_ANSWERS, kind="cascade", now=NOW, asks_rate=True)
    html = form["action"].as_field_group()
    for value, field in [("offer", "rate"), ("decline", "reason"), ("query", "text")]:
        block = f'data-reveals="{value}"'
        assert block in html, value
        after = html.split(block, 1)[1].split("govuk-radios__conditional", 1)[0]
        assert f'name="{field}' in after, (value, field)
    assert html.count("govuk-radios__conditional--hidden") >= 4  # nothing chosen: all hidden
    assert 'type="date"' not in html and "2026-" not in html  # no picker, no ISO hint
    assert 'name="start_day"' in html and 'name="start_month"' in html


def test_a_part_offer_must_say_which_days_or_sessions():
    data = {"action": "offer", "rate": "24.10", "coverage": "part"}
    form = AnswerForm(data, actions=("offer",), kind="tender", now=NOW, asks_rate=True)
    assert not form.is_valid()
    assert form.errors["part"] == ["Say which days or sessions you can cover"]
    form = AnswerForm(
        {**data, "part": "Saturdays only"}, actions=("offer",), kind="tender", now=NOW
    )
    assert form.is_valid(), form.errors


def test_a_detail_of_an_answer_not_chosen_does_not_block_the_chosen_one():
    """A half-typed start date under "offer" does not stop a decline."""
    data = {"action": "decline", "reason": "area", "start_day": "31", "start_month": "2"}
    form = AnswerForm(data, actions=STAGE_ANSWERS, kind="cascade", now=NOW, asks_rate=True)
    assert form.is_valid(), form.errors


def test_the_start_date_is_day_month_year_and_a_bad_one_is_named():
    base = {"action": "offer", "rate": "20"}
    good = AnswerForm(
        {**base, "start_day": "7", "start_month": "12", "start_year": "2026"},
        actions=("offer",), kind="tender", now=NOW,
    )  # fmt: skip
    assert good.is_valid(), good.errors
    assert good.cleaned_data["start"] == date(2026, 12, 7)
    bad = AnswerForm(
        {**base, "start_day": "31", "start_month": "2", "start_year": "2027"},
        actions=("offer",), kind="tender", now=NOW,
    )  # fmt: skip
    assert not bad.is_valid()
    assert bad.errors["start"] == ["The start date must be a real date"]
    partial = AnswerForm(
        {**base, "start_day": "7", "start_year": "2027"}, actions=("offer",), kind="tender", now=NOW
    )
    assert partial.errors["start"] == ["The start date must include a month"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14:00", (14, 0)), ("2pm", (14, 0)), ("2:30pm", (14, 30)), ("9.15", (9, 15)),
     ("14", None), ("25:00", None), ("13pm", None)],
)  # fmt: skip
def test_the_time_to_answer_by_is_read_as_people_write_it(text, expected):
    at = parse_time(text)
    assert (None if at is None else (at.hour, at.minute)) == expected


@pytest.mark.django_db
def test_a_part_offer_records_which_part_on_the_timeline(signed_in, clock):
    """Kent: B's part offer names the days; the offer event carries them for the broker."""
    world = kent_world()
    row = SourcingRequest.objects.filter(package=world.packages[0]).latest("seq")
    clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/",
        {"action": "offer", "rate": "22.50", "coverage": "part", "part": "Mornings only"},
    )
    offer = TimelineEvent.objects.filter(package=world.packages[0], type="offer").get()
    assert offer.details.get("part") == "Mornings only"
