"""Referrals on the web: the referrer's form (errors by field), the broker's check (returned
naming what is missing, or accepted into sourcing), resubmission, and a referrer who sees
only their own referrals."""

import re
from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.referrals.models import Person, Referral, ReferralStatus
from carebroker.sourcing.models import Package, PackageStatus, SourcingRequest
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)
from tests.web.pages import (
    QueryCounter,
    as_date_parts,
    client_for,
    clock,
    field_error,
    main_of,
)

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in London.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KENT_BASE = ["financial_authorisation", "referral_form"]


@pytest.fixture
def kent():
    council = make_council("kent-oppd")
    area = make_area(council, "Ashford A", districts=["TN23"])
    for rank in (1, 2):
        make_provider(council, areas={area: rank})
    return {
        "council": council,
        "area": area,
        "referrer": make_user(council, Role.REFERRER),
        "broker": make_user(council, Role.BROKER),
    }


def _form(**changes):
    form = {
        "name": "Wendy Marsh",
        "date_of_birth": "1938-05-14",
        "address": "4 Orchard Row",
        "town": "Ashford",
        "postcode": "tn23 1aa",
        "phone": "01632 960 001",
        "relations": "daughter: Rose Marsh",
        "allocated_worker": "Sam Okafor",
        "principal_contact": "Rose Marsh",
        "principal_contact_phone": "07700 900 982",
        "needs": "Help to wash and dress each morning.",
        "case_number": "M70001",
        "hours_per_week": "10.5",
        "preferred_start": "2026-12-07",
        "documents": KENT_BASE,
    }
    form.update(changes)
    return as_date_parts({k: v for k, v in form.items() if v is not None})


def _send(client, **changes):
    with clock(NOW):
        return client.post("/referrals/new/", _form(**changes))


@pytest.mark.parametrize(
    ("postcode", "says"),
    [
        ("not a postcode", "Enter a real postcode"),
        ("QT1 1AA", "cannot start with Q, V or X"),
        ("CO4 3SQ", "CO4 3SQ is not in"),  # a real shape, but no area of Kent serves CO4
    ],
)
def test_a_bad_postcode_is_named_on_the_postcode_field_and_nothing_is_saved(kent, postcode, says):
    response = _send(client_for(kent["referrer"]), postcode=postcode)
    page = response.content.decode()
    assert response.status_code == 400
    assert says in field_error(page, "id_postcode")
    assert 'href="#id_postcode"' in page  # the error summary links to the field
    assert not Person.objects.filter(council=kent["council"]).exists()
    assert not Package.objects.filter(council=kent["council"]).exists()


def test_every_missing_required_field_is_named(kent):
    blank = dict.fromkeys([*_form(), "date_of_birth", "preferred_start"])
    response = _send(client_for(kent["referrer"]), **blank)
    page = response.content.decode()
    assert response.status_code == 400
    for field, message in [
        ("name", "Enter the person's full name"),
        ("date_of_birth", "Enter the person's date of birth"),
        ("address", "Enter the person's address"),
        ("postcode", "Enter the person's postcode"),
        ("needs", "Enter the person's needs"),
        ("case_number", "Enter the Mosaic ID"),
        ("hours_per_week", "Enter the hours a week"),
        ("preferred_start", "Enter the preferred start date"),
    ]:
        assert message in field_error(page, f"id_{field}"), field
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"phone": "12"}, "phone", "Enter a UK phone number for the person"),
        ({"relations": "Rose Marsh"}, "relations", "Line 1 of relations"),
        ({"preferred_start": "2026-11-01"}, "preferred_start", "must be today or later"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth", "must be in the past"),
        ({"hours_per_week": "0"}, "hours_per_week", "greater than or equal to 0.25"),
        ({"documents": ["passport"]}, "documents", "Select a valid choice"),
    ],
)
def test_other_bad_fields_are_named(kent, changes, field, says):
    response = _send(client_for(kent["referrer"]), **changes)
    assert response.status_code == 400
    assert says in field_error(response.content.decode(), f"id_{field}")
    assert not Referral.objects.exists()


def test_a_mosaic_id_already_used_in_the_council_is_refused(kent):
    make_package(kent["council"], case_number="M70001", area=kent["area"])
    response = _send(client_for(kent["referrer"]))
    assert "M70001 is already a package" in field_error(response.content.decode(), "id_case_number")


def test_kent_referral_is_returned_naming_the_charging_letter_then_accepted_when_resent(kent):
    """The referrer sends it (received); the broker checks it: §5.1 Kent needs a signed
    charging letter, so it goes back naming exactly that; the referrer resends it with the
    letter and it is accepted; a broker confirms what providers will see (§6.2), and the
    first provider is asked."""
    referrer, broker = client_for(kent["referrer"]), client_for(kent["broker"])
    sent = _send(referrer)
    referral = Referral.objects.get(council=kent["council"])
    assert sent.status_code == 302 and sent["Location"] == f"/referrals/{referral.pk}/"
    assert referral.status == ReferralStatus.RECEIVED and referral.referrer == kent["referrer"]
    package = Package.objects.get(referral=referral)
    assert (package.case_number, package.area, package.person.postcode) == (
        "M70001",
        kent["area"],
        "TN23 1AA",
    )
    assert package.person.relations == [{"relation": "daughter", "name": "Rose Marsh"}]

    with clock(NOW):
        checked = broker.post(f"/referrals/{referral.pk}/check/")
    referral.refresh_from_db()
    assert checked.status_code == 302
    assert (referral.status, referral.missing) == (ReferralStatus.RETURNED, ["charging_letter"])
    mine = main_of(referrer.get("/referrals/mine/"))
    assert "Missing: Signed charging letter" in mine

    with clock(NOW):
        resent = referrer.post(
            f"/referrals/{referral.pk}/resubmit/",
            {"documents": [*KENT_BASE, "charging_letter"]},
        )
    referral.refresh_from_db()
    package.refresh_from_db()
    assert resent.status_code == 302
    assert referral.status == ReferralStatus.ACCEPTED
    assert package.status == PackageStatus.HELD  # until a broker confirms the provider view
    assert not SourcingRequest.objects.filter(package=package).exists()
    with clock(NOW):
        confirmed = broker.post(
            f"/packages/{package.case_number}/provider-view/", {"action": "confirm"}
        )
    assert confirmed.status_code == 302
    package.refresh_from_db()
    assert package.status == PackageStatus.SOURCING
    assert SourcingRequest.objects.filter(package=package).count() == 1
    assert "Referral accepted" in main_of(referrer.get(f"/referrals/{referral.pk}/"))


def test_a_complete_referral_is_accepted_at_the_check(kent):
    referrer, broker = client_for(kent["referrer"]), client_for(kent["broker"])
    _send(referrer, documents=[*KENT_BASE, "charging_letter"])
    referral = Referral.objects.get(council=kent["council"])
    page = main_of(broker.get(f"/referrals/{referral.pk}/"))
    assert "checking accepts it" in page
    with clock(NOW):
        checked = broker.post(f"/referrals/{referral.pk}/check/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    # docs/policies.md §6.2: the broker goes on to check what providers will see.
    assert checked["Location"] == "/packages/M70001/provider-view/"
    assert "Check what providers will see of package M70001" in main_of(
        broker.get(checked["Location"])
    )


def test_checking_an_accepted_referral_again_is_a_form_error_not_a_traceback(kent):
    referral = make_referral(kent["council"], documents=[*KENT_BASE, "charging_letter"])
    make_package(kent["council"], referral=referral, area=kent["area"])
    broker = client_for(kent["broker"])
    with clock(NOW):
        broker.post(f"/referrals/{referral.pk}/check/")
        again = broker.post(f"/referrals/{referral.pk}/check/")
    assert again.status_code == 400
    assert "The referral was already accepted." in again.content.decode()


def test_a_referrer_never_sees_another_referrers_referral(kent):
    """Another referrer's referral (same council) is a 404 to view or resend, and is not on
    "my referrals"; the referrer's own is."""
    mine = make_referral(kent["council"], referrer=kent["referrer"])
    theirs = make_referral(
        kent["council"], referrer=make_user(kent["council"], Role.REFERRER), status="returned"
    )
    client = client_for(kent["referrer"])
    listed = main_of(client.get("/referrals/mine/"))
    assert mine.person.name in listed
    assert theirs.person.name not in listed
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/referrals/{theirs.pk}/resubmit/", {"documents": KENT_BASE}).status_code
        == 404
    )  # noqa: E501
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200


def test_referral_pages_are_for_their_roles_only(kent):
    """The referral form and "my referrals" are a referrer's; checking is a broker's."""
    broker, referrer = client_for(kent["broker"]), client_for(kent["referrer"])
    provider = client_for(make_user(kent["council"], Role.PROVIDER))
    assert broker.get("/referrals/new/").status_code == 403
    assert broker.get("/referrals/mine/").status_code == 403
    assert referrer.get("/referrals/").status_code == 403
    referral = make_referral(kent["council"], referrer=kent["referrer"])
    assert referrer.post(f"/referrals/{referral.pk}/check/").status_code == 403
    for url in ("/referrals/", "/referrals/new/", "/referrals/mine/", f"/referrals/{referral.pk}/"):
        assert provider.get(url).status_code == 403


def test_another_councils_referral_is_not_found_for_a_broker(kent):
    elsewhere = make_referral(make_council("kent-oppd"))
    assert client_for(kent["broker"]).get(f"/referrals/{elsewhere.pk}/").status_code == 404


def test_referrals_to_check_lists_received_and_returned_with_what_is_missing(kent):
    received = make_referral(kent["council"])
    returned = make_referral(
        kent["council"], status=ReferralStatus.RETURNED, missing=["charging_letter"]
    )
    accepted = make_referral(kent["council"], status=ReferralStatus.ACCEPTED)
    page = main_of(client_for(kent["broker"]).get("/referrals/"))
    assert f'data-referral="{received.pk}"' in page
    assert f'data-referral="{returned.pk}"' in page
    assert f'data-referral="{accepted.pk}"' not in page
    assert "Missing: Signed charging letter" in page


def _list_queries(kent, referrals: int) -> int:
    for _ in range(referrals):
        referral = make_referral(kent["council"], referrer=kent["referrer"])
        make_package(kent["council"], referral=referral, area=kent["area"])
    client = client_for(kent["referrer"])
    client.get("/referrals/mine/")
    with QueryCounter() as counted:
        client.get("/referrals/mine/")
    return counted.count


def test_my_referrals_queries_do_not_grow_with_the_referrals(kent):
    few = _list_queries(kent, 2)
    many = _list_queries(kent, 20)
    assert few == many


def test_referrals_to_check_queries_do_not_grow_with_the_referrals(kent):
    broker = client_for(kent["broker"])

    def counted(extra: int) -> int:
        for _ in range(extra):
            referral = make_referral(kent["council"], referrer=kent["referrer"])
            make_package(kent["council"], referral=referral, area=kent["area"])
        broker.get("/referrals/")
        with QueryCounter() as queries:
            page = main_of(broker.get("/referrals/"))
        assert (
            page.count("data-referral=") == Referral.objects.filter(council=kent["council"]).count()
        )
        return queries.count

    assert counted(2) == counted(18)


def test_leics_form_lists_its_providers_lots_by_name_and_support_types_to_choose():
    """§6.3: Leicestershire matches packages on lot and support type, so the form lists the
    ones its providers have, lots by name, each chosen from a list; and asks the days and
    times of the short breaks. A lot no provider has is refused by field."""
    council = make_council("leics-short-breaks")
    area = make_area(council, "City", districts=["LE3"])
    make_provider(council, areas={area: 1}, lots=[1, 3], support_types=["play_and_leisure"])
    referrer = make_user(council, Role.REFERRER)
    client = client_for(referrer)
    page = main_of(client.get("/referrals/new/"))
    assert '<select name="lot"' in page and '<select name="support_type"' in page
    assert '<option value="3">Lot 3: Short breaks with personal care</option>' in page
    assert '<option value="play_and_leisure">Play and leisure</option>' in page
    assert "Which days and times are the short breaks needed?" in page
    assert "Child&#x27;s full name" in page
    leics = {
        "postcode": "LE3 9QP",
        "documents": ["manager_signature"],
        "when_needed": "Saturdays 10am to 4pm",
    }
    refused = _send(client, lot="7", support_type="play_and_leisure", **leics)
    assert "Choose a lot from the list" in field_error(refused.content.decode(), "id_lot")
    blank_when = {**leics, "when_needed": ""}
    unasked = _send(client, lot="3", support_type="play_and_leisure", **blank_when)
    assert "Say which days and times" in field_error(unasked.content.decode(), "id_when_needed")
    sent = _send(client, lot="3", support_type="play_and_leisure", **leics)
    assert sent.status_code == 302
    package = Package.objects.get(council=council)
    assert (package.lot, package.support_type) == (3, "play_and_leisure")
    assert "Days and times needed: Saturdays 10am to 4pm" in package.person.needs


@pytest.mark.parametrize(
    ("policy", "shown", "hidden"),
    [
        ("essex-lah", [], ["BICA", "KEaH", "Enablement was bypassed", "Documents"]),
        ("leics-short-breaks", ["Brokerage form signed by a manager"],
         ["BICA", "KEaH", "Enablement was bypassed", "Signed charging letter"]),
        ("kent-oppd", ["Financial authorisation", "BICA up to date", "Enablement was bypassed"],
         ["Brokerage form signed by a manager"]),
    ],
)  # fmt: skip
def test_each_council_form_lists_only_the_documents_its_policy_asks(policy, shown, hidden):
    council = make_council(policy)
    page = main_of(client_for(make_user(council, Role.REFERRER)).get("/referrals/new/"))
    for words in shown:
        assert words in page, words
    for words in hidden:
        assert words not in page, words


def test_kent_form_marks_which_documents_are_required_and_when():
    council = make_council("kent-oppd")
    page = main_of(client_for(make_user(council, Role.REFERRER)).get("/referrals/new/"))
    assert re.search(r"Financial authorisation</label>\s*<div[^>]*>Required</div>", page)
    assert re.search(
        r"BICA up to date</label>\s*<div[^>]*>Required when known to the adult community team",
        page,
    )


def test_kent_form_does_not_ask_for_lots(kent):
    page = main_of(client_for(kent["referrer"]).get("/referrals/new/"))
    assert 'id="id_lot"' not in page
