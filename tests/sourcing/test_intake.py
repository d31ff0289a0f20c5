"""Referral intake: the policy's document check, returned referrals with exactly what is
missing, resubmission, and the provider view stored on acceptance (docs/policies.md §5.1, §6)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebroker.accounts.models import Role
from carebroker.engine.provider_view import provider_view
from carebroker.outbox.models import Notice
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.intake import (
    check_referral,
    do_resubmit_referral,
    do_submit_referral,
    missing_documents,
)
from carebroker.sourcing.market_db import person_record
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)

# Monday 23 November 2026, 10:00 in London.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KENT_BASE = ["financial_authorisation", "referral_form", "charging_letter"]


def _kent(documents, **flags):
    council = make_council("kent-oppd")
    referrer = make_user(council, Role.REFERRER)
    make_user(council, Role.MANAGER)
    area = make_area(council, "Ashford A")
    provider = make_provider(council, areas={area: 1})
    referral = make_referral(council, referrer=referrer, documents=documents, **flags)
    package = make_package(council, referral=referral, area=area)
    return referral, package, provider


@pytest.mark.django_db
def test_kent_referral_known_to_team_without_bica_is_returned_naming_only_bica():
    """§5.1: a person known to the team needs a BICA; without it the referral goes back to
    the referrer with the standard message naming exactly that document, and nothing is
    sourced."""
    referral, package, _ = _kent(KENT_BASE, known_to_team=True)
    outcome = do_submit_referral(referral, NOW)
    referral.refresh_from_db()
    package.refresh_from_db()
    assert outcome.status == ReferralStatus.RETURNED
    assert referral.status == ReferralStatus.RETURNED
    assert referral.missing == ["bica"] == list(outcome.missing)
    assert package.status == "returned"
    assert not SourcingRequest.objects.filter(package=package).exists()
    notice = Notice.objects.get(package=package, kind="referral_returned")
    assert notice.to == [referral.referrer.email]
    assert notice.cc == []  # Kent does not copy the manager
    assert "BICA up to date" in notice.body
    assert "Purchasing referral form" not in notice.body  # only what is missing
    assert package.provider_view is None  # not accepted: no provider sees anything


@pytest.mark.django_db
def test_leics_unsigned_form_is_returned_to_the_worker_with_the_manager_copied():
    """§6.1: the brokerage form must be signed by a manager; else back to the worker,
    manager copied."""
    council = make_council("leics-short-breaks")
    referrer = make_user(council, Role.REFERRER)
    manager = make_user(council, Role.MANAGER)
    area = make_area(council, "Charnwood")
    referral = make_referral(council, referrer=referrer, documents=["referral_form"])
    package = make_package(council, referral=referral, area=area, lot=1, support_type="community")
    outcome = do_submit_referral(referral, NOW)
    assert outcome.missing == ("manager_signature",)
    notice = Notice.objects.get(package=package, kind="referral_returned")
    assert notice.to == [referrer.email]
    assert notice.cc == [manager.email]


@pytest.mark.django_db
def test_resubmitted_referral_with_the_missing_document_is_checked_again_and_accepted():
    """A corrected referral is checked again; complete, it is accepted at that moment and
    its package enters sourcing (the first clustered provider is asked)."""
    referral, package, provider = _kent(KENT_BASE, known_to_team=True)
    do_submit_referral(referral, NOW)
    later = NOW.replace(hour=14)
    outcome = do_resubmit_referral(referral, [*KENT_BASE, "bica"], later)
    referral.refresh_from_db()
    package.refresh_from_db()
    assert outcome.status == ReferralStatus.ACCEPTED
    assert referral.missing == []
    assert referral.accepted_at == later
    assert package.status == "sourcing"
    request = SourcingRequest.objects.get(package=package)
    assert (request.provider, request.sent_at) == (provider, later)
    types = list(TimelineEvent.objects.filter(package=package).values_list("type", flat=True))
    assert types.count("referral_received") == 2
    assert types.index("referral_returned") < types.index("referral_checked")


@pytest.mark.django_db
def test_resubmitting_a_referral_that_was_not_returned_is_refused():
    """Only a returned referral can be resubmitted; an accepted one is left alone."""
    referral, _, _ = _kent(KENT_BASE)
    do_submit_referral(referral, NOW)
    with pytest.raises(ValidationError, match="Only a returned referral"):
        do_resubmit_referral(referral, KENT_BASE, NOW)


@pytest.mark.django_db
def test_resubmission_naming_an_unknown_document_is_refused_by_field():
    """Bad input names the field and changes nothing."""
    referral, _, _ = _kent(KENT_BASE, known_to_team=True)
    do_submit_referral(referral, NOW)
    with pytest.raises(ValidationError) as error:
        do_resubmit_referral(referral, ["bica", "passport"], NOW)
    assert "documents" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED


@pytest.mark.django_db
def test_accepted_package_stores_the_anonymised_provider_view_and_requests_show_only_it():
    """§6.2: on acceptance the provider view is made from the full record and stored; the
    request a provider gets carries it, never the person's name, phone or full postcode."""
    referral, package, provider = _kent(KENT_BASE)
    do_submit_referral(referral, NOW)
    package.refresh_from_db()
    person = package.person
    assert package.provider_view == provider_view(person_record(person))
    notice = Notice.objects.get(package=package, kind="request_sent")
    assert notice.to == [provider.contacts.get().email]
    for secret in (person.name, person.phone, person.postcode, person.address):
        assert secret not in notice.body
        assert secret not in str(package.provider_view)


@pytest.mark.django_db
def test_missing_documents_follow_the_flags_of_the_referral():
    """§5.1: risk needs a risk assessment; times stipulated needs Team Manager approval."""
    referral, _, _ = _kent(KENT_BASE, risk=True, times_stipulated=True)
    assert missing_documents(referral) == ["risk_assessment", "team_manager_approval"]


@pytest.mark.django_db
def test_only_the_councils_staff_and_the_own_referrer_may_submit():
    """A referrer of another referral, a provider user or another council's broker may not."""
    referral, _, _ = _kent(KENT_BASE)
    council = referral.council
    check_referral(referral.referrer, referral)  # the referrer's own: allowed
    check_referral(make_user(council, Role.BROKER), referral)
    for outsider in (
        make_user(council, Role.REFERRER),
        make_user(council, Role.PROVIDER),
        make_user(make_council("kent-oppd"), Role.BROKER),
    ):
        with pytest.raises(PermissionDenied):
            check_referral(outsider, referral)
