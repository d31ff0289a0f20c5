"""Every record belongs to one council, points only at that council's records, and
keeps the rules of its fields (unique Mosaic ID per council, postcodes, documents)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebroker.providers.models import Provider, ProviderArea
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing.models import Package
from tests.factories import (
    PREFERRED_START,
    RECEIVED_AT,
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db


def _errors(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


@pytest.fixture
def essex():
    return make_council("essex-lah")


@pytest.fixture
def kent():
    return make_council("kent-oppd")


def test_case_number_is_unique_within_a_council(essex):
    """Two packages of one council cannot share a Mosaic ID: full_clean() says so and the
    database refuses it."""
    first = make_package(essex, case_number="M1001")
    twin = Package(
        council=essex,
        referral=first.referral,
        person=first.person,
        case_number="M1001",
        area=first.area,
        hours_per_week=Decimal("7"),
        preferred_start=PREFERRED_START,
    )
    assert "Package with this Council and Mosaic ID already exists." in str(_errors(twin))
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Package.objects.filter(case_number="M1001").count() == 1


def test_same_case_number_in_two_councils_is_allowed(essex, kent):
    """Mosaic IDs are each council's own: the same number may appear in two councils."""
    make_package(essex, case_number="M1001")
    make_package(kent, case_number="M1001")
    assert Package.objects.filter(case_number="M1001").count() == 2


def test_area_name_is_unique_within_a_council(essex, kent):
    """A council has one area of a name; another council may use the same name."""
    make_area(essex, "North")
    with pytest.raises(ValidationError, match="already exists"):
        make_area(essex, "North")
    assert make_area(kent, "North").council == kent


def test_provider_name_is_unique_within_a_council(essex, kent):
    """A council has one provider of a name; another council may use the same name."""
    make_provider(essex, "Alder Homecare")
    with pytest.raises(ValidationError, match="already exists"):
        make_provider(essex, "Alder Homecare")
    assert make_provider(kent, "Alder Homecare").council == kent


def test_package_points_only_at_its_councils_records(essex, kent):
    """A package's referral, person, area and awarded provider must all be its council's."""
    theirs = make_package(kent)
    package = Package(
        council=essex,
        referral=theirs.referral,
        person=theirs.person,
        case_number="M2001",
        area=theirs.area,
        hours_per_week=Decimal("14"),
        preferred_start=PREFERRED_START,
        awarded_provider=make_provider(kent),
    )
    assert _errors(package) == {
        "referral": ["The referral belongs to another council."],
        "person": ["The person belongs to another council."],
        "area": ["The area belongs to another council."],
        "awarded_provider": ["The awarded provider belongs to another council."],
    }


def test_package_person_is_the_referrals_person(essex):
    """A package is for the person its referral is about."""
    package = make_package(essex)
    package.person = make_person(essex)
    assert _errors(package) == {"person": ["The person is not the person of the referral."]}


def test_referral_person_and_referrer_are_of_its_council(essex, kent):
    """A referral is about a person of its council, made by a referrer of its council."""
    referral = Referral(
        council=essex,
        person=make_person(kent),
        referrer=make_user(kent, "referrer"),
        received_at=RECEIVED_AT,
    )
    assert _errors(referral) == {
        "person": ["The person belongs to another council."],
        "referrer": ["The referrer belongs to another council."],
    }


def test_referral_documents_are_known_document_names(essex):
    """docs/scenarios.md `documents`: only the known names, in a list."""
    referral = make_referral(essex)
    referral.documents = ["financial_authorisation", "passport"]
    referral.missing = "bica"
    errors = _errors(referral)
    assert errors["documents"][0].startswith("Unknown documents 'passport'; known: ")
    assert "financial_authorisation" in errors["documents"][0]
    assert errors["missing"] == ["Expected a list of document names."]


def test_person_postcode_is_stored_normalised(essex):
    """A person's postcode is kept in its one written form."""
    person = make_person(essex, postcode=" co43sq ")
    assert Person.objects.get(pk=person.pk).postcode == "CO4 3SQ"


def test_person_postcode_must_be_a_uk_postcode(essex):
    """A bad postcode is refused on the postcode field with the reason."""
    person = Person(
        council=essex, name="Evie Example", date_of_birth="1950-01-31", address="2 Low Road"
    )
    person.postcode = "XYZ"
    assert _errors(person) == {
        "postcode": [
            "'XYZ' is not a UK postcode: it has 3 letters and digits; a postcode has 5 to 7"
        ]
    }


def test_provider_rank_area_must_be_of_the_providers_council(essex, kent):
    """A provider is ranked only in areas of its own council."""
    rank = ProviderArea(provider=make_provider(essex), area=make_area(kent, "Cluster 1"), rank=1)
    assert _errors(rank) == {"area": ["The area belongs to another council."]}


def test_provider_tier_is_one_or_two(essex):
    """Essex tiers are 1 and 2 (docs/policies.md §4)."""
    provider = Provider(council=essex, name="Birch Care", kind="framework", tier=3)
    assert _errors(provider) == {"tier": ["Tier must be 1 or 2, not 3."]}


def test_provider_age_limits_are_in_order(essex):
    """A provider's maximum age cannot be below its minimum (Leics restrictions, §6.3)."""
    provider = Provider(council=essex, name="Birch Care", kind="framework", min_age=12, max_age=5)
    assert _errors(provider) == {"max_age": ["The maximum age 5 is below the minimum 12."]}
