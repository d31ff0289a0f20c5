"""A council's policy edited in the admin (issue 12 finding 5): checked by the policy
loader on save, every bad field named as `carebroker policy check` names it; a refused
edit leaves the last good policy in force; and one council's broken policy fails the
worker's duties for that council only."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from carebroker.accounts.models import Role
from carebroker.councils.models import Council
from carebroker.engine.policy import PRESETS_DIR, PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.exchange.provider_lists import send_batch_reports
from carebroker.outbox.models import Notice
from carebroker.sourcing.waiting_list import escalate_waiting
from tests.exchange.batch_world import FRIDAY_16, essex_batch
from tests.factories import make_council, make_user

pytestmark = pytest.mark.django_db

KENT_TOML = (PRESETS_DIR / "kent-oppd.toml").read_text(encoding="utf-8").strip()


def _post(council, **changes):
    manager = make_user(council, Role.MANAGER, is_staff=True)
    client = Client()
    client.force_login(manager)
    form = {
        "name": council.name,
        "slug": council.slug,
        "policy_name": council.policy_name,
        "policy_toml": council.policy_toml,
        "retention_years": council.retention_years,
    } | changes
    return client.post(reverse("admin:councils_council_change", args=[council.pk]), form)


def test_an_unparseable_policy_is_refused_in_the_admin_and_the_last_good_kept():
    council = make_council("kent-oppd")
    _post(council, policy_toml=KENT_TOML)
    response = _post(council, policy_toml="not [valid")
    assert response.status_code == 200  # the form again, with its errors
    assert "not valid TOML" in response.content.decode()
    council.refresh_from_db()
    assert council.policy_toml == KENT_TOML  # the last good version is still in force


def test_every_bad_field_is_named_as_policy_check_names_it():
    council = make_council("kent-oppd")
    bad = KENT_TOML.replace('name = "kent-oppd"', 'name = ""', 1)
    bad = bad.replace("[working_time]", "[working_time]\nbogus_field = 3", 1)
    with pytest.raises(PolicyError) as checked:
        load_policy(bad)
    assert len(checked.value.errors) >= 2
    page = _post(council, policy_toml=bad).content.decode()
    for error in checked.value.errors:
        assert error.split(":")[0] in page, error
    council.refresh_from_db()
    assert council.policy_toml == ""


def test_a_policy_name_that_is_no_preset_is_refused():
    council = make_council("kent-oppd")
    response = _post(council, policy_name="kent-oppd-typo")
    assert "not a preset" in response.content.decode()
    council.refresh_from_db()
    assert council.policy_name == "kent-oppd"


def test_policy_text_is_never_read_as_a_file_path(tmp_path):
    """A policy 'text' that looks like a path is TOML (invalid), not a file read."""
    secret = tmp_path / "secret.toml"
    secret.write_text(KENT_TOML, encoding="utf-8")
    council = make_council("kent-oppd")
    response = _post(council, policy_toml=str(secret))
    assert "not valid TOML" in response.content.decode()


def _broken(council: Council) -> None:
    """A policy stored before the check existed (or written past the admin)."""
    Council.objects.filter(pk=council.pk).update(policy_toml="not [valid")


def test_batch_reports_fail_for_the_broken_council_only(caplog):
    broken = essex_batch()
    good = essex_batch()
    _broken(broken.council)
    with caplog.at_level(logging.ERROR):
        lines = send_batch_reports(FRIDAY_16)
    assert Notice.objects.filter(council=good.council, kind="batch_report").exists()
    assert not Notice.objects.filter(council=broken.council, kind="batch_report").exists()
    assert any(broken.council.slug in line and "FAILED" in line for line in lines)
    assert broken.council.slug in caplog.text


def test_waiting_list_escalation_fails_for_the_broken_council_only(caplog):
    broken = make_council("kent-oppd")
    make_council("essex-lah")
    _broken(broken)
    with caplog.at_level(logging.ERROR):
        lines = escalate_waiting(FRIDAY_16)
    assert [line for line in lines if "FAILED" in line] == [
        f"waiting list: council {broken.slug} FAILED (its policy cannot be loaded; see the log)"
    ]


def test_a_manager_sets_the_enablement_team_email_in_the_council_form():
    council = make_council("kent-oppd")
    response = _post(council, enablement_team_email="enablement@kent.example.org")
    assert response.status_code == 302
    council.refresh_from_db()
    assert council.enablement_team_email == "enablement@kent.example.org"
    refused = _post(council, enablement_team_email="not an address")
    assert refused.status_code == 200 and "Enter a valid email address" in refused.content.decode()
    council.refresh_from_db()
    assert council.enablement_team_email == "enablement@kent.example.org"
