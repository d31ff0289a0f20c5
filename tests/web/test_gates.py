"""Gates on the web (docs/policies.md §3): the list with who must act; a manager's approval, a
broker's mini-competition award, a referrer's answer to a hold; each only by who the
policy names, each through `do_council`."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import PackageStatus, TimelineEvent
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
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import QueryCounter, client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(hours=1)


def _kent_at_approval(packages: int = 1):
    """§5.4: every clustered provider declined and there is no other contracted one: the
    package waits for the area support manager's approval to go to non-contracted ones."""
    kent = kent_cluster(packages)
    for package in kent.packages:
        for minute, provider in enumerate(kent.providers, 1):
            answer = Answer(NOW + timedelta(minutes=minute), str(provider.pk), "decline")
            record_answer(package, answer)
        package.refresh_from_db()
    return kent


def _leics_offers(rates, coverage="part"):
    """§6.3: a framework tender whose providers all offered (part or full) by the deadline."""
    council = make_council("leics-short-breaks")
    area = make_area(council, "City", districts=["LE3"])
    providers = [
        make_provider(council, areas={area: rank}, lots=[1], support_types=["play_and_leisure"])
        for rank in range(1, len(rates) + 1)
    ]
    referrer = make_user(council, Role.REFERRER)
    person = make_person(council, postcode="LE3 9QP", date_of_birth=date(2015, 3, 2))
    referral = make_referral(
        council, person=person, referrer=referrer, documents=["manager_signature"]
    )
    package = make_package(
        council, referral=referral, area=area, lot=1, support_type="play_and_leisure"
    )
    do_submit_referral(referral, NOW)
    for minute, (provider, rate) in enumerate(zip(providers, rates, strict=True), 1):
        answer = Answer(
            NOW + timedelta(minutes=minute),
            str(provider.pk),
            "offer",
            coverage=coverage,
            rate=Decimal(rate),
        )
        record_answer(package, answer)
    package.refresh_from_db()
    do_tick(package, package.next_due)  # the deadline: no award before it (§6.3)
    package.refresh_from_db()
    return package, providers, referrer


def test_gate_list_shows_who_must_act():
    kent = _kent_at_approval()
    package = kent.packages[0]
    assert package.gate == "non_contracted_approval"
    page = main_of(client_for(kent.broker).get("/gates/"))
    assert f'data-package="{package.case_number}"' in page
    assert "Non-contracted approval" in page  # the gate in words, not its code
    assert "Area Support Manager" in page  # Kent's own name for who decides


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PROVIDER])
def test_gate_pages_refuse_referrers_and_providers(role):
    kent = _kent_at_approval()
    client = client_for(make_user(kent.council, role))
    assert client.get("/gates/").status_code == 403
    assert client.get(f"/gates/{kent.packages[0].case_number}/").status_code == 403


def test_gate_list_filters_by_who_must_act():
    kent = _kent_at_approval()
    client = client_for(kent.manager)
    assert kent.packages[0].case_number in main_of(client.get("/gates/?owner=manager"))
    assert kent.packages[0].case_number not in main_of(client.get("/gates/?owner=referrer"))


def test_manager_approves_going_to_non_contracted_providers():
    """§5.4: the manager's approval passes the gate; sourcing goes on (the decision is the
    engine's, recorded on the timeline)."""
    kent = _kent_at_approval()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.manager).post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "approve"}
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.gate == ""
    passed = TimelineEvent.objects.get(package=package, type="gate_passed")
    assert passed.details["gate"] == "non_contracted_approval"


def test_a_broker_cannot_decide_a_managers_gate():
    """The policy gives §5.4 to the area support manager: a broker's POST is refused (403)
    and the package still waits."""
    kent = _kent_at_approval()
    package = kent.packages[0]
    client = client_for(kent.broker)
    page = main_of(client.get(f"/gates/{package.case_number}/"))
    assert 'id="gate-form"' not in page
    with clock(LATER):
        response = client.post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "approve"}
        )
    assert response.status_code == 403
    package.refresh_from_db()
    assert package.gate == "non_contracted_approval"


def test_a_decision_without_a_choice_is_named_and_changes_nothing():
    kent = _kent_at_approval()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.manager).post(f"/gates/{package.case_number}/", {"form": "gate"})
    assert response.status_code == 400
    assert "Choose a decision" in field_error(response.content.decode(), "id_gate-choice")
    package.refresh_from_db()
    assert package.gate == "non_contracted_approval"


def test_manager_approves_a_sanctioned_provider_for_a_package():
    """§5.2: a sanctioned provider is skipped unless a manager approves it for the package;
    the manager is offered those serving the package's area."""
    kent = kent_cluster()
    package = kent.packages[0]
    sanctioned = make_provider(
        kent.council, sanctioned=True, sanction_note="made-up sanction", areas={package.area: 4}
    )
    with clock(LATER):
        response = client_for(kent.manager).post(
            f"/gates/{package.case_number}/",
            {"form": "sanction", "sanction-choice": "approve", "sanction-provider": sanctioned.pk},
        )
    assert response.status_code == 302
    recorded = TimelineEvent.objects.get(package=package, type="approval_recorded")
    assert recorded.details == {"gate": "sanction_approval", "provider": str(sanctioned.pk)}
    broker = client_for(kent.broker)
    assert 'id="sanction-form"' not in main_of(broker.get(f"/gates/{package.case_number}/"))


def test_broker_awards_a_mini_competition_between_tied_offers():
    """§6.3 best_price: an exact tie is a mini-competition, decided by a broker."""
    package, providers, _ = _leics_offers(["20.00", "20.00"], coverage="full")
    assert package.gate == "mini_competition"
    broker = make_user(package.council, Role.BROKER)
    with clock(LATER):
        response = client_for(broker).post(
            f"/gates/{package.case_number}/",
            {"form": "gate", "gate-choice": "award", "gate-provider": providers[1].pk},
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == (PackageStatus.AWARDED, providers[1])


def test_award_at_a_mini_competition_needs_the_provider():
    package, _, _ = _leics_offers(["20.00", "20.00"], coverage="full")
    broker = make_user(package.council, Role.BROKER)
    with clock(LATER):
        response = client_for(broker).post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "award"}
        )
    assert response.status_code == 400
    assert "Choose the provider" in field_error(response.content.decode(), "id_gate-provider")


def test_referrer_accepts_a_part_offer_on_their_own_package():
    """§6.3: only part offers, the worker decides: accepting awards the cheaper part offer."""
    package, providers, referrer = _leics_offers(["22.00", "19.50"])
    assert package.gate == "part_offer"
    client = client_for(referrer)
    assert "give your decision" in main_of(client.get("/referrals/mine/"))
    page = main_of(client.get(f"/holds/{package.case_number}/"))
    assert "Only part offers came in" in page
    with clock(LATER):
        response = client.post(f"/holds/{package.case_number}/", {"hold-choice": "accept_part"})
    assert response.status_code == 302 and response["Location"] == "/referrals/mine/"
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == (PackageStatus.AWARDED, providers[1])


def test_referrer_closes_the_case_at_a_hold():
    package, _, referrer = _leics_offers(["22.00"])
    with clock(LATER):
        client_for(referrer).post(f"/holds/{package.case_number}/", {"hold-choice": "close"})
    package.refresh_from_db()
    assert package.status == PackageStatus.CLOSED


def test_another_referrer_cannot_open_or_answer_the_hold():
    package, _, _ = _leics_offers(["22.00"])
    other = client_for(make_user(package.council, Role.REFERRER))
    assert other.get(f"/holds/{package.case_number}/").status_code == 404
    url = f"/holds/{package.case_number}/"
    assert other.post(url, {"hold-choice": "close"}).status_code == 404
    package.refresh_from_db()
    assert package.gate == "part_offer"


def test_a_referrer_cannot_answer_a_managers_gate():
    kent = _kent_at_approval()
    package = kent.packages[0]
    referrer = package.referral.referrer
    with clock(LATER):
        response = client_for(referrer).post(
            f"/holds/{package.case_number}/", {"hold-choice": "approve"}
        )
    assert response.status_code == 403
    package.refresh_from_db()
    assert package.gate == "non_contracted_approval"


def test_gate_list_queries_do_not_grow_with_the_packages():
    kent = _kent_at_approval(packages=1)
    client = client_for(kent.manager)
    client.get("/gates/")
    with QueryCounter() as one:
        client.get("/gates/")
    kent = _kent_at_approval(packages=6)
    client = client_for(kent.manager)
    client.get("/gates/")
    with QueryCounter() as six:
        page = main_of(client.get("/gates/"))
    assert page.count("data-package=") == 6
    assert six.count == one.count


def _kent_later_start():
    """§5.2: the first provider accepts but only from a later start date: a manager's gate."""
    kent = kent_cluster()
    package = kent.packages[0]
    later = package.preferred_start + timedelta(days=14)
    record_answer(
        package,
        Answer(NOW + timedelta(minutes=5), str(kent.providers[0].pk), "accept", start=later),
    )  # noqa: E501
    package.refresh_from_db()
    return kent, package


def test_manager_accepts_a_later_start_and_the_package_is_awarded():
    kent, package = _kent_later_start()
    assert package.gate == "later_start"
    with clock(LATER):
        client_for(kent.manager).post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "accept"}
        )
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("awarded", kent.providers[0])


def test_manager_refuses_a_later_start_and_the_next_provider_is_asked():
    kent, package = _kent_later_start()
    with clock(LATER):
        client_for(kent.manager).post(
            f"/gates/{package.case_number}/", {"form": "gate", "gate-choice": "continue"}
        )
    package.refresh_from_db()
    assert package.gate == "" and package.status == "sourcing"
    asked = package.requests.order_by("seq").values_list("provider_id", flat=True)
    assert list(asked)[-1] == kent.providers[1].pk
