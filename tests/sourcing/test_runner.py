"""The runner: one input, one transaction — state, rows, timeline and notices together."""

from datetime import timedelta

import pytest

from carebroker.engine.inputs import Answer, Hold
from carebroker.outbox.models import Notice
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing import effects, runner
from carebroker.sourcing.models import EventSource, Package, SourcingRequest, TimelineEvent
from carebroker.sourcing.record import package_record
from tests.factories import make_package
from tests.sourcing.kent import DOCUMENTS, NOW, kent_cluster

pytestmark = pytest.mark.django_db


class Boom(RuntimeError):
    pass


def test_a_failure_while_queueing_a_notice_leaves_no_trace_of_the_step(monkeypatch):
    """The request's email cannot be queued: the referral is not accepted, no state, no
    request row, no timeline event — nothing half done (docs/architecture.md §6)."""
    kent = kent_cluster(packages=0)
    package = make_package(kent.council, area=kent.council.areas.get())
    package.referral.documents = DOCUMENTS
    package.referral.save()

    def fail(*args, **kwargs):
        raise Boom("the outbox is unavailable")

    monkeypatch.setattr(effects, "queue_notice", fail)
    with pytest.raises(Boom):
        runner.do_referral(package, NOW)
    package.refresh_from_db()
    assert package.engine_state is None and package.next_due is None
    assert package.referral.status == ReferralStatus.RECEIVED
    assert not SourcingRequest.objects.filter(package=package).exists()
    assert not TimelineEvent.objects.filter(package=package).exists()
    assert not Notice.objects.exists()


def test_the_rows_mirror_the_rebuilt_engine_state_after_each_input():
    """After a referral and a decline, the state rebuilt from the snapshot has exactly the
    requests and engine events the rows hold, and next_due is its next clock."""
    kent = kent_cluster()
    package = kent.packages[0]
    decline = Answer(
        at=NOW + timedelta(minutes=5), provider=str(kent.providers[0].pk), action="decline"
    )
    runner.record_answer(package, decline)
    row = Package.objects.get(pk=package.pk)
    state = runner.state_of(row)
    record = package_record(row)
    assert [r["provider"] for r in record["requests"]] == [r.provider for r in state.requests]
    assert [r["outcome"] for r in record["requests"]] == [r.outcome for r in state.requests]
    assert [e["type"] for e in record["events"]] == [e.type for e in state.events]
    assert row.next_due == min(r.deadline for r in state.requests if r.is_open)
    assert TimelineEvent.objects.filter(package=row).exclude(source=EventSource.ENGINE).count() == 0


def test_an_answer_for_a_package_never_referred_is_refused_clearly():
    """A package whose referral was never checked has no sourcing to answer."""
    kent = kent_cluster(packages=0)
    package = make_package(kent.council, area=kent.council.areas.get())
    answer = Answer(at=NOW, provider=str(kent.providers[0].pk), action="accept")
    outcome = runner.record_answer(package, answer)
    assert outcome.taken is runner.Taken.REFUSED
    assert "sourcing has not started" in outcome.why


def test_a_referral_accepted_once_cannot_be_accepted_again():
    """Checking an accepted referral a second time is refused; nothing is sent twice."""
    kent = kent_cluster()
    with pytest.raises(runner.SourcingError, match="already accepted"):
        runner.do_referral(kent.packages[0], NOW + timedelta(minutes=1))
    assert SourcingRequest.objects.filter(package=kent.packages[0]).count() == 1


# -- record_answer: the one entry point for a provider's answer ---------------------------


def test_record_answer_runs_the_clocks_first_so_an_answer_after_the_deadline_is_refused():
    """C1 was asked at 10:00 until 12:00 (docs/policies.md §5.2); no worker ran since. Its
    accept at 12:30 finds the request expired: refused with the engine's reason, C2 asked."""
    kent = kent_cluster()
    package, first, second = kent.packages[0], kent.providers[0], kent.providers[1]
    late = NOW + timedelta(hours=2, minutes=30)
    outcome = runner.record_answer(
        package, Answer(at=late, provider=str(first.pk), action="accept")
    )
    assert (outcome.taken, outcome.counted) == (runner.Taken.REFUSED, False)
    assert outcome.why == "no open request to this provider"
    package.refresh_from_db()
    assert package.status == "sourcing"
    outcomes = dict(
        SourcingRequest.objects.filter(package=package).values_list("provider", "outcome")
    )
    assert outcomes == {first.pk: "expired", second.pk: "open"}


def test_record_answer_in_time_is_recorded():
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    at = NOW + timedelta(minutes=30)
    outcome = runner.record_answer(package, Answer(at=at, provider=str(first.pk), action="accept"))
    assert (outcome.taken, outcome.why) == (runner.Taken.RECORDED, "")
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("awarded", first)


def test_record_answer_to_a_held_package_is_refused_and_given_after_now_is_refused():
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    at = NOW + timedelta(minutes=30)
    early = runner.record_answer(
        package, Answer(at=at, provider=str(first.pk), action="accept"), now=NOW
    )
    assert early.why == "an answer cannot be recorded before it was given"
    runner.do_council(package, Hold(at=NOW, actor="broker", reason="in hospital"), actor="b1")
    held = runner.record_answer(package, Answer(at=at, provider=str(first.pk), action="accept"))
    assert (held.taken, held.why) == (runner.Taken.REFUSED, "the package is held")
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("held", None)
    assert TimelineEvent.objects.get(package=package, type="held").actor == "b1"
