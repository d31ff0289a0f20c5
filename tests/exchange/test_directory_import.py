"""The provider directory import: one row a provider, all or nothing, idempotent."""

from decimal import Decimal

import openpyxl
import pytest

from carebroker.exchange.directory import ProviderDirectoryImporter
from carebroker.exchange.sheets import ImportRefused
from carebroker.providers.models import Contact, Provider, ProviderArea
from tests.exchange.conftest import EXAMPLES
from tests.factories import make_provider

SAMPLE = EXAMPLES / "providers-sample.csv"
HEADER = "name,kind,tier,main contact name,main contact email,rank:North,rank:Mid"


def _counts() -> tuple[int, int, int]:
    return Provider.objects.count(), ProviderArea.objects.count(), Contact.objects.count()


def _refused(importer: ProviderDirectoryImporter, path) -> str:
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        importer.handle(path)
    assert _counts() == before, "a refused file changed the directory"
    return str(caught.value)


def test_sample_directory_creates_providers_with_ranks_contacts_and_terms(essex):
    """The shipped sample creates its four providers with tier, lists, rate, sanction flag,
    main and senior contacts and a rank in each area that has one."""
    report = ProviderDirectoryImporter(essex).handle(SAMPLE)

    assert len(report.created) == 4 and not report.updated and not report.unchanged
    alder = Provider.objects.get(council=essex, name="Alder Homecare")
    assert (alder.kind, alder.tier, alder.min_age, alder.max_age) == ("framework", 1, 18, None)
    assert alder.specialisms == ["dementia", "end of life"]
    assert alder.framework_hourly_rate == Decimal("21.50")
    assert alder.cqc_location_id == "1-100000001"
    ranks = {pa.area.name: pa.rank for pa in alder.area_ranks.all()}
    assert ranks == {"North": 1, "Mid": 2}
    contacts = {(c.role, c.name, c.email, c.phone) for c in alder.contacts.all()}
    assert contacts == {
        ("main", "Casey Alder", "casey@alder-homecare.example.org", "01206 000100"),
        ("senior", "Robin Alder", "robin@alder-homecare.example.org", ""),
    }
    damson = Provider.objects.get(council=essex, name="Damson Care Services")
    assert damson.sanctioned and damson.tier is None and damson.kind == "spot"
    assert damson.contacts.get(role="senior").name == "Lee Damson"


def test_reimporting_the_same_directory_changes_nothing(essex):
    """A second import of the same file reports every provider unchanged and writes nothing."""
    importer = ProviderDirectoryImporter(essex)
    importer.handle(SAMPLE)
    contact_ids = set(Contact.objects.values_list("id", flat=True))
    before = _counts()

    report = importer.handle(SAMPLE)

    assert report.unchanged and not report.created and not report.updated
    assert len(report.unchanged) == 4
    assert _counts() == before
    assert set(Contact.objects.values_list("id", flat=True)) == contact_ids


def test_a_changed_row_updates_only_that_provider(essex, write):
    """Changing one provider's tier and rank updates it alone; the others stay unchanged."""
    ProviderDirectoryImporter(essex).handle(SAMPLE)
    text = SAMPLE.read_text().replace(
        "Cedar Support,framework,2,,personal care;domestic,physical disability,18,,1-100000003,"
        "21.50,no,Jo Cedar,jo@cedar-support.example.org,01268 000300,,,,,2,1,1",
        "Cedar Support,framework,1,,personal care;domestic,physical disability,18,,1-100000003,"
        "21.50,no,Jo Cedar,jo@cedar-support.example.org,01268 000300,,,,,3,1,1",
    )

    report = ProviderDirectoryImporter(essex).handle(write(text))

    assert report.updated == ("Cedar Support",) and len(report.unchanged) == 3
    cedar = Provider.objects.get(name="Cedar Support")
    assert cedar.tier == 1
    assert cedar.area_ranks.get(area__name="West").rank == 3


def test_bad_tier_names_row_and_column_and_imports_nothing(essex, write):
    """A tier that is not 1 or 2 refuses the whole file, even its good rows:
    'row 3, tier: must be 1 or 2, got 'three''."""
    path = write(
        f"{HEADER}\n"
        "Alder Homecare,framework,1,Casey Alder,casey@alder.example.org,1,\n"
        "Birch Lane Care,framework,three,Sam Birch,sam@birch.example.org,2,\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "row 3, tier: must be 1 or 2, got 'three'" in message
    assert not Provider.objects.filter(council=essex).exists()


def test_unknown_area_in_a_rank_column_is_refused(essex, write):
    """A rank column for an area the council does not have names the column and the areas."""
    path = write(
        "name,kind,main contact name,main contact email,rank:Nowhere\n"
        "Alder Homecare,framework,Casey Alder,casey@alder.example.org,1\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "column 'rank:Nowhere'" in message and "no area 'Nowhere'" in message
    assert "North" in message


def test_bad_email_is_refused_with_row_and_column(essex, write):
    """A main contact email that is not an address is refused naming row 2 and the column."""
    path = write(f"{HEADER}\nAlder Homecare,framework,1,Casey Alder,casey-at-alder,1,\n")
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "row 2, main contact email: must be an email address, got 'casey-at-alder'" in message


def test_duplicate_provider_name_in_the_file_is_refused(essex, write):
    """The same provider twice (whatever the case) is refused, naming both rows."""
    path = write(
        f"{HEADER}\n"
        "Alder Homecare,framework,1,Casey Alder,casey@alder.example.org,1,\n"
        "alder homecare,framework,1,Casey Alder,casey@alder.example.org,,1\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "row 3, name: 'alder homecare' is already in the file (row 2)" in message


def test_the_same_rank_twice_in_an_area_is_refused(essex, write):
    """Two providers ranked 1 in North would make the cascade order ambiguous: refused."""
    path = write(
        f"{HEADER}\n"
        "Alder Homecare,framework,1,Casey Alder,casey@alder.example.org,1,\n"
        "Birch Lane Care,framework,1,Sam Birch,sam@birch.example.org,1,\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "row 3, rank:North: rank 1 is also given to 'Alder Homecare' (row 2)" in message


def test_every_bad_cell_of_the_file_is_reported_at_once(essex, write):
    """Problems in several rows and columns are all listed, each with its row and column."""
    path = write(
        "name,kind,tier,lots,min age,framework hourly rate,sanctioned,"
        "main contact name,main contact email,main contact phone,cqc location id\n"
        "Alder Homecare,charity,1,1;x,-3,21.555,maybe,Casey Alder,casey@alder.example.org,"
        "12,XYZ\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    for expected in (
        "row 2, kind: must be one of Framework",
        "row 2, lots: must be numbers from 1",
        "row 2, min age: must be a whole number, got '-3'",
        "row 2, framework hourly rate: must be an amount in pounds like 21.50, got '21.555'",
        "row 2, sanctioned: must be yes or no, got 'maybe'",
        "row 2, main contact phone: must be a phone number, got '12'",
        "row 2, cqc location id: must be a CQC location ID like 1-123456789, got 'XYZ'",
    ):
        assert expected in message


def test_model_rules_are_reported_by_row_and_column(essex, write):
    """A rule of the model (max age below min age, name too long) comes back as a row
    problem, not a database error."""
    path = write(
        "name,kind,min age,max age,main contact name,main contact email\n"
        "Alder Homecare,framework,18,12,Casey Alder,casey@alder.example.org\n"
        f"{'B' * 250},framework,,,Sam Birch,sam@birch.example.org\n"
    )
    message = _refused(ProviderDirectoryImporter(essex), path)
    assert "row 2, max age: The maximum age 12 is below the minimum 18." in message
    assert "row 3, name: Ensure this value has at most 200 characters" in message


def test_headers_match_ignoring_case_spacing_and_underscores(essex, write):
    """'  NAME ', 'Main_Contact_Email' and 'RANK : south east' are the documented columns."""
    path = write(
        "  NAME ,Kind,Main_Contact_Name,MAIN CONTACT EMAIL,RANK : south east\n"
        "Alder Homecare,Other contracted,Casey Alder,casey@alder.example.org,4\n"
    )
    ProviderDirectoryImporter(essex).handle(path)
    alder = Provider.objects.get(name="Alder Homecare")
    assert alder.kind == "other_contracted"
    assert alder.area_ranks.get().area.name == "South East" and alder.area_ranks.get().rank == 4


def test_missing_and_unknown_columns_are_refused(essex, write):
    """A file without a required column, or with a column no one reads, is refused so a typo
    in a header cannot silently drop a field."""
    missing = write("name,kind\nAlder Homecare,framework\n", "missing.csv")
    assert "missing column(s) 'main contact name', 'main contact email'" in _refused(
        ProviderDirectoryImporter(essex), missing
    )
    typo = write(
        "name,kind,tierr,main contact name,main contact email\n"
        "Alder Homecare,framework,1,Casey Alder,casey@alder.example.org\n",
        "typo.csv",
    )
    assert "row 1, column 3: unknown column 'tierr'" in _refused(
        ProviderDirectoryImporter(essex), typo
    )


def test_an_existing_provider_is_matched_ignoring_case_and_absent_columns_are_kept(essex, write):
    """A provider already on record is updated, not duplicated; fields whose column is absent
    keep their stored values; a blank rank takes it out of that area."""
    north = essex.areas.get(name="North")
    mid = essex.areas.get(name="Mid")
    stored = make_provider(
        essex, "Alder Homecare", areas={north: 1, mid: 3}, framework_hourly_rate=Decimal("20")
    )
    path = write(f"{HEADER}\nALDER HOMECARE,framework,2,Casey Alder,casey@alder.example.org,,3\n")

    report = ProviderDirectoryImporter(essex).handle(path)

    assert report.updated == ("ALDER HOMECARE",)
    stored.refresh_from_db()
    assert stored.tier == 2 and stored.framework_hourly_rate == Decimal("20")
    assert {pa.area.name: pa.rank for pa in stored.area_ranks.all()} == {"Mid": 3}
    assert Provider.objects.filter(council=essex).count() == 1


def test_a_blank_senior_contact_removes_the_senior_contact(essex, write):
    """With the senior columns in the file, a blank senior contact leaves the provider none."""
    importer = ProviderDirectoryImporter(essex)
    importer.handle(SAMPLE)
    text = SAMPLE.read_text().replace("Robin Alder,robin@alder-homecare.example.org", ",")
    report = importer.handle(write(text))
    assert report.updated == ("Alder Homecare",)
    assert not Contact.objects.filter(provider__name="Alder Homecare", role="senior").exists()


def test_a_senior_name_without_email_is_refused(essex, write):
    """A senior contact needs both a name and an email."""
    path = write(
        "name,kind,main contact name,main contact email,senior contact name,senior contact email\n"
        "Alder Homecare,framework,Casey Alder,casey@alder.example.org,Robin Alder,\n"
    )
    assert "row 2, senior contact email: is required" in _refused(
        ProviderDirectoryImporter(essex), path
    )


def test_an_xlsx_directory_imports_like_the_csv(essex, tmp_path):
    """The same rows in a workbook (numbers stored as numbers) give the same providers."""
    book = openpyxl.Workbook()
    sheet = book.active
    lines = SAMPLE.read_text().splitlines()
    for line in lines:
        sheet.append([_as_number(cell) for cell in line.split(",")])
    path = tmp_path / "providers.xlsx"
    book.save(path)

    report = ProviderDirectoryImporter(essex).handle(path)

    assert len(report.created) == 4
    birch = Provider.objects.get(name="Birch Lane Care")
    assert birch.tier == 1 and birch.min_age == 18
    assert birch.framework_hourly_rate == Decimal("21.50")
    assert {pa.area.name: pa.rank for pa in birch.area_ranks.all()} == {
        "North": 2,
        "Mid": 1,
        "West": 1,
    }
    assert ProviderDirectoryImporter(essex).handle(SAMPLE).unchanged


def _as_number(cell: str) -> object:
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            continue
    return cell or None
