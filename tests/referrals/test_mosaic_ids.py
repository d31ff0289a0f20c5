"""Mosaic ID format (issue 12 finding 4): 1 to 20 letters, digits or hyphens, starting with
a letter or digit (carebroker/lib/mosaic.py). Refused in the referral form (named on the
field), by the model whatever writes it, and by the EHM importer (named by row); a data
migration repairs bad rows already stored and reports each."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from carebroker.lib.mosaic import mosaic_id_problem, repaired_mosaic_id
from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package
from tests.factories import make_council, make_package
from tests.web.pages import client_for, field_error
from tests.web.test_referrals import _send, kent  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BAD = ["a/b", "M 1001", "M1001?", "../x", "=1+2", "-M1", "M" * 21, "", "M1001\n", "é1"]
GOOD = ["M1001", "2387781", "L5001", "ABC-123", "m1", "Z" * 20]


@pytest.mark.parametrize("case", BAD)
def test_a_bad_mosaic_id_has_a_problem(case):
    assert mosaic_id_problem(case)


@pytest.mark.parametrize("case", GOOD)
def test_a_good_mosaic_id_has_none(case):
    assert mosaic_id_problem(case) is None


@pytest.mark.parametrize("case", ["a/b", "M 1001", "=1+2"])
def test_the_referral_form_names_a_bad_mosaic_id_and_saves_nothing(kent, case):  # noqa: F811
    response = _send(client_for(kent["referrer"]), case_number=case)
    assert response.status_code == 400
    says = field_error(response.content.decode(), "id_case_number")
    assert "letters, digits or hyphens" in says
    assert not Referral.objects.exists()


def test_the_model_refuses_a_bad_mosaic_id_whatever_writes_it():
    council = make_council("kent-oppd")
    with pytest.raises(ValidationError, match="case_number"):
        make_package(council, case_number="a/b")
    assert not Package.objects.filter(case_number="a/b").exists()


def test_the_data_migration_repairs_bad_ids_and_reports_each(capsys):
    """Rows stored before the rule (written past the model, as an old release did) are
    repaired to a valid, still unique ID, and each change is printed."""
    council = make_council("kent-oppd")
    good = make_package(council, case_number="a-b")
    bad = make_package(council, case_number="M1")
    worse = make_package(council, case_number="M2")
    Package.objects.filter(pk=bad.pk).update(case_number="a/b")
    Package.objects.filter(pk=worse.pk).update(case_number="=1+2 x")
    migration = importlib.import_module("carebroker.sourcing.migrations.0004_mosaic_id_format")
    migration.repair_mosaic_ids(apps, None)
    ids = dict(Package.objects.values_list("pk", "case_number"))
    assert ids[good.pk] == "a-b"
    assert ids[bad.pk] == "a-b-2"  # "a-b" is taken
    assert ids[worse.pk] == "1-2-x"
    assert all(mosaic_id_problem(case) is None for case in ids.values())
    printed = capsys.readouterr().out
    assert f"Mosaic ID 'a/b' of {council.slug} is now 'a-b-2'" in printed


def test_repair_keeps_only_allowed_characters():
    assert repaired_mosaic_id("a/b") == "a-b"
    assert repaired_mosaic_id("///") == "X"
    assert mosaic_id_problem(repaired_mosaic_id("é" * 40)) is None
