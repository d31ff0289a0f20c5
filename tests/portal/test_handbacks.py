"""Handbacks in the portal (docs/policies.md §5 Handbacks; seed 003; issue 11).

Kent's cluster: the first provider accepts three packages on Monday 23 November 2026; its
user hands them back in the portal on Monday 30 November 2026 at 10:00 (the pinned clock).
"""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer, PlacementChange
from carebroker.outbox.models import Notice
from carebroker.sourcing import runner
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.waiting_list import escalate_waiting
from tests.factories import make_user
from tests.sourcing.kent import kent_cluster

pytestmark = pytest.mark.django_db
ACCEPTED = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def placed(clock):
    clock.now = NOW
    kent = kent_cluster(packages=3, now=ACCEPTED - timedelta(hours=1))
    winner = kent.providers[0]
    for row in kent.packages:
        outcome = runner.record_answer(row, Answer(at=ACCEPTED, provider=str(winner.pk),
                                                   action="accept"))  # fmt: skip
        assert outcome.counted, outcome.why
    user = make_user(kent.council, Role.PROVIDER, provider=winner)
    return kent, winner, user


def _state(kent):
    return [
        (
            row.status,
            row.awarded_provider_id,
            TimelineEvent.objects.filter(package=row).count(),
            Notice.objects.filter(package=row).count(),
        )  # fmt: skip
        for row in Package.objects.filter(council=kent.council).order_by("pk")
    ]


def test_the_provider_sees_its_placements_and_hands_one_back_at_once(placed, signed_in):
    """Individual: the area support manager is told at once through the outbox, and the
    package returns to sourcing with its waiting clock restarted from the handback."""
    kent, winner, user = placed
    client = signed_in(user)
    page = client.get("/portal/placements/").content.decode()
    row = kent.packages[0]
    assert row.case_number in page and "Hand back several packages with notice" in page
    response = client.post(f"/portal/placements/{row.pk}/hand-back/",
                           {"reason": "staffing", "text": "Two carers left"})  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.status == "sourcing" and row.awarded_provider_id is None
    handback = TimelineEvent.objects.get(package=row, type="handback")
    assert (handback.at, handback.details["reason"]) == (NOW, "staffing")
    assert TimelineEvent.objects.filter(package=row, type="returned_to_list", at=NOW).exists()
    notices = {tuple(n.to): n for n in Notice.objects.filter(package=row, kind="handback")}
    # the area support manager at once, and the referrer kept informed
    assert set(notices) == {(kent.manager.email,), (row.referral.referrer.email,)}
    notice = notices[(kent.manager.email,)]
    assert "We cannot staff the calls" in notice.body and "Two carers left" in notice.body
    assert "staffing" not in notice.body
    # the waiting clock restarts from the handback: amber 5 working days on (Mon 7 December)
    rag = {label for _, label in runner.state_of(row).timers}
    assert rag == {"amber", "red"}
    assert min(at for at, _ in runner.state_of(row).timers) == datetime(
        2026, 12, 7, 10, 0, tzinfo=UTC
    )


def test_a_handback_about_call_times_only_is_refused_with_the_reason(placed, signed_in):
    """Seed 003: a preference about call times is not a handback; refused, nothing changes."""
    kent, _, user = placed
    client = signed_in(user)
    before = _state(kent)
    row = kent.packages[0]
    response = client.post(f"/portal/placements/{row.pk}/hand-back/", {"reason": "call_times"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "A preference about the call times only is not a handback" in errors["reason"][0]
    assert "There is a problem" in response.content.decode()
    row.refresh_from_db()
    assert row.status == "awarded"
    assert not Notice.objects.filter(package=row, kind="handback").exists()
    # the refusal is on the timeline (ignored), nothing else
    assert [s[:2] for s in _state(kent)] == [s[:2] for s in before]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "reason", "Select why you are handing the package back"),
        ({"reason": "bored"}, "reason", "Select one of the reasons listed"),
        ({"reason": "other", "text": " "}, "text",
         "Tell the council your reason for handing the package back"),
    ],
)  # fmt: skip
def test_bad_handback_input_names_the_field_and_changes_nothing(
    placed, signed_in, fields, field, message
):
    kent, _, user = placed
    client = signed_in(user)
    before = _state(kent)
    response = client.post(f"/portal/placements/{kent.packages[0].pk}/hand-back/", fields)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert _state(kent) == before


def test_another_providers_placement_is_not_found(placed, signed_in):
    kent, _, _ = placed
    stranger = make_user(kent.council, Role.PROVIDER, provider=kent.providers[1])
    client = signed_in(stranger)
    assert client.get(f"/portal/placements/{kent.packages[0].pk}/hand-back/").status_code == 404
    assert kent.packages[0].case_number not in client.get("/portal/placements/").content.decode()


def _notice_post(kent, day, month, year="2026", reason="staffing", packages=None):
    chosen = packages if packages is not None else [str(p.pk) for p in kent.packages[:2]]
    return {"packages": chosen, "ends_day": day, "ends_month": month, "ends_year": year,
            "reason": reason}  # fmt: skip


def test_several_packages_handed_back_with_short_notice_are_refused_with_the_reason(
    placed, signed_in
):
    """Notice on Monday 30 November for a last day of Friday 4 December: 4 days, refused; no
    package is handed back, no notice queued."""
    kent, _, user = placed
    client = signed_in(user)
    before = _state(kent)
    response = client.post("/portal/placements/hand-back-several/", _notice_post(kent, "4", "12"))
    assert response.status_code == 200
    (error,) = response.context["form"].errors["ends"]
    assert error == (
        "The last day of care is too soon: several packages handed back need at least 5 days' "
        "notice (nothing was handed back)"
    )
    assert [s[:2] for s in _state(kent)] == [s[:2] for s in before]
    assert not Notice.objects.filter(kind="handback").exists()


def test_several_packages_with_notice_task_the_manager_and_are_re_sourced_on_the_date(
    placed, signed_in
):
    """Notice on Monday 30 November for Monday 7 December: the manager is told at once and
    asked to call within 24 hours (by 10:00 on Tuesday 1 December); the placements go on,
    and the worker re-sources both packages on 7 December."""
    kent, _, user = placed
    client = signed_in(user)
    response = client.post("/portal/placements/hand-back-several/", _notice_post(kent, "7", "12"))
    assert response.status_code == 302, response.context["form"].errors
    first, second, third = (Package.objects.get(pk=p.pk) for p in kent.packages)
    assert (first.status, second.status, third.status) == ("awarded", "awarded", "awarded")
    for row in (first, second):
        call = TimelineEvent.objects.get(package=row, type="handback_call_due")
        assert call.details["due"] == "2026-12-01T10:00:00Z"
        (notice,) = Notice.objects.filter(package=row, kind="handback")
        assert notice.to == [kent.manager.email]
        assert "Monday 7 December 2026" in notice.body
        assert "10:00 on Tuesday 1 December 2026" in notice.body
        assert row.next_due == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert third.next_due is None
    runner.do_tick(first, datetime(2026, 12, 7, 0, 0, tzinfo=UTC))
    first.refresh_from_db()
    assert first.status == "sourcing" and first.awarded_provider_id is None


def test_several_means_at_least_two_and_only_my_placements(placed, signed_in):
    kent, _, user = placed
    client = signed_in(user)
    before = _state(kent)
    only_one = [str(kent.packages[0].pk)]
    one = client.post(
        "/portal/placements/hand-back-several/", _notice_post(kent, "14", "12", packages=only_one)
    )
    assert one.context["form"].errors["packages"] == [
        "Select at least two packages: to hand back one package, use Hand back on its row"
    ]
    bad_date = client.post("/portal/placements/hand-back-several/",
                           _notice_post(kent, "31", "2"))  # fmt: skip
    assert bad_date.context["form"].errors["ends"] == ["The last day of care must be a real date"]
    assert _state(kent) == before


def test_a_handed_back_package_waits_again_from_the_handback_in_working_days(placed, signed_in):
    """§5 Handbacks: handed back on Monday 30 November 2026 at 10:00 (accepted a week
    before): amber 5 working days later, Monday 7 December at 10:00, escalated once with
    the days counted from the handback, not from the acceptance."""
    kent, _, user = placed
    row = kent.packages[0]
    client = signed_in(user)
    client.post(f"/portal/placements/{row.pk}/hand-back/", {"reason": "needs"})
    runner.do_tick(row, datetime(2026, 12, 7, 9, 59, tzinfo=UTC))
    assert not Notice.objects.filter(package=row, kind="escalation").exists()
    amber = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    runner.do_tick(row, amber)
    assert escalate_waiting(amber) == []  # the engine raised it: not a second time
    (notice,) = Notice.objects.filter(package=row, kind="escalation")
    assert "waiting 5 working days" in notice.subject
    assert "since it was handed back at 10:00 on Monday 30 November 2026" in notice.body


def test_an_ended_placement_is_no_longer_listed_to_hand_back(placed, signed_in):
    """engine/placement.py: an ended placement keeps its package awarded; it is not a
    placement to hand back any more."""
    kent, winner, user = placed
    row = kent.packages[0]
    confirm = Answer(at=NOW, provider=str(winner.pk), action="confirm",
                     start=datetime(2026, 12, 7).date(), call_times="08:00")  # fmt: skip
    assert runner.record_answer(row, confirm).counted
    end = PlacementChange(at=NOW, actor="broker", action="end", reason="moved away")
    runner.do_council(row, end)
    client = signed_in(user)
    assert row.case_number not in client.get("/portal/placements/").content.decode()
    assert client.get(f"/portal/placements/{row.pk}/hand-back/").status_code == 404
