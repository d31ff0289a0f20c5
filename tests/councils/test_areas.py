"""Finding a council's area from a postcode, and the postcode districts areas are made of."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebroker.councils.areas import AreaNotFound, find_area
from carebroker.councils.models import PostcodeDistrict
from tests.factories import make_area, make_council

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("postcode", ["CO4 3SQ", "co43sq", " co4  3sq "])
def test_area_is_found_from_the_postcode_district(postcode):
    """A postcode in any case and spacing finds the area serving its district."""
    council = make_council()
    north = make_area(council, "North", districts=["CO4", "CO5"])
    make_area(council, "Mid", districts=["CM1"])
    assert find_area(council, postcode) == north


def test_area_lookup_uses_only_the_councils_own_districts():
    """The same district in two councils finds each council's own area."""
    essex, kent = make_council("essex-lah"), make_council("kent-oppd")
    north = make_area(essex, "North", districts=["CO4"])
    cluster = make_area(kent, "Cluster 1", districts=["CO4"])
    assert find_area(essex, "CO4 3SQ") == north
    assert find_area(kent, "CO4 3SQ") == cluster


def test_unserved_district_names_postcode_and_council():
    """A district none of the council's areas serves is an AreaNotFound naming both."""
    council = make_council(name="Eastshire County Council")
    make_area(council, "North", districts=["CO4"])
    with pytest.raises(AreaNotFound) as caught:
        find_area(council, "le3 9qp")
    assert str(caught.value) == (
        "No area of Eastshire County Council serves postcode 'le3 9qp': "
        "district LE3 is not in any of its areas"
    )
    assert caught.value.council == council
    assert caught.value.postcode_text == "le3 9qp"


def test_district_of_another_council_is_not_served():
    """A district served by another council is not served by this one."""
    essex, kent = make_council("essex-lah"), make_council("kent-oppd")
    make_area(kent, "Cluster 1", districts=["ME1"])
    with pytest.raises(AreaNotFound, match="district ME1 is not in any of its areas"):
        find_area(essex, "ME1 1AA")


def test_bad_postcode_names_postcode_council_and_what_is_wrong():
    """A text that is not a postcode is an AreaNotFound saying why, with the council's name."""
    council = make_council(name="Eastshire County Council")
    make_area(council, "North", districts=["CO4"])
    with pytest.raises(AreaNotFound) as caught:
        find_area(council, "XYZ")
    message = str(caught.value)
    assert message.startswith("No area of Eastshire County Council serves postcode 'XYZ': ")
    assert "'XYZ' is not a UK postcode: it has 3 letters and digits" in message


@pytest.mark.parametrize(("typed", "stored"), [("co4", "CO4"), (" ec1a ", "EC1A")])
def test_district_is_stored_upper_case(typed, stored):
    """full_clean() stores the district normalised (upper case, no surrounding spaces)."""
    area = make_area(make_council(), "North")
    district = PostcodeDistrict(council=area.council, area=area, district=typed)
    district.full_clean()
    district.save()
    assert PostcodeDistrict.objects.get(pk=district.pk).district == stored


def test_district_is_stored_upper_case_even_without_clean():
    """save() upper-cases too, so a lookup never misses a district typed in lower case."""
    area = make_area(make_council(), "North")
    PostcodeDistrict.objects.create(council=area.council, area=area, district="co4")
    assert find_area(area.council, "CO4 3SQ") == area


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("XX", "'XX' is not a UK postcode district: the outward code 'XX' must have the shape"),
        ("Q1", "cannot start with Q, V or X"),
        ("LE3 9", "a district has no space inside"),
    ],
)
def test_district_must_be_an_outward_code(typed, why):
    """full_clean() refuses a district that is not a valid outward code, on the district
    field, with the reason (not a bare length error)."""
    area = make_area(make_council(), "North")
    district = PostcodeDistrict(council=area.council, area=area, district=typed)
    with pytest.raises(ValidationError) as caught:
        district.full_clean()
    assert list(caught.value.message_dict) == ["district"]
    assert why in caught.value.message_dict["district"][0]


def test_district_area_must_be_of_its_council():
    """A district cannot point at another council's area."""
    essex, kent = make_council("essex-lah"), make_council("kent-oppd")
    cluster = make_area(kent, "Cluster 1")
    district = PostcodeDistrict(council=essex, area=cluster, district="ME1")
    with pytest.raises(ValidationError) as caught:
        district.full_clean()
    assert caught.value.message_dict == {"area": ["The area belongs to another council."]}


def test_district_is_unique_within_a_council():
    """One district belongs to one area of a council; two councils may share it."""
    essex, kent = make_council("essex-lah"), make_council("kent-oppd")
    make_area(essex, "North", districts=["CO4"])
    mid = make_area(essex, "Mid")
    duplicate = PostcodeDistrict(council=essex, area=mid, district="co4")
    with pytest.raises(ValidationError, match="already exists"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        PostcodeDistrict.objects.create(council=essex, area=mid, district="CO4")
    make_area(kent, "Cluster 1", districts=["CO4"])
    assert PostcodeDistrict.objects.filter(district="CO4").count() == 2
