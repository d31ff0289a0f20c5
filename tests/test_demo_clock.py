"""The demo clock (issue 10, beyond the findings): `carebroker demo --at` starts the demo at a
chosen London time, and the administrator advances it to the next event (so a newcomer can
issue Essex's 16:00 batch at noon)."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from carebroker.accounts.models import User
from carebroker.demo import clock
from tests.factories import make_council, make_package

CLI = [sys.executable, "-m", "carebroker.cli"]


@pytest.fixture
def demo_clock(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv(clock.ENV, "1")
    monkeypatch.setattr(timezone, "now", timezone.now)  # put back after the test
    clock.install()
    return clock


def test_the_demo_clock_reads_the_time_it_was_set_to(demo_clock):
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    demo_clock.set_now(noon)
    assert abs(timezone.now() - noon) < timedelta(seconds=5)


def test_the_clock_stays_real_without_the_demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv(clock.ENV, raising=False)
    monkeypatch.setattr(timezone, "now", timezone.now)
    clock.install()
    assert timezone.now is not clock.demo_now


@pytest.mark.django_db
def test_the_administrator_advances_the_demo_to_the_next_event(demo_clock, client):
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    demo_clock.set_now(noon)
    council = make_council("essex-lah")
    batch = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    make_package(council, next_due=batch)
    make_package(council, next_due=batch + timedelta(days=1))
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    page = client.get("/demo/clock/").content.decode()
    assert "1 Dec 2026, 16:00" in page  # the next event, in words
    assert client.post("/demo/clock/").status_code == 302
    assert batch < timezone.now() < batch + timedelta(minutes=5)


@pytest.mark.django_db
def test_only_an_administrator_moves_the_demo_clock(demo_clock):
    council = make_council("essex-lah")
    from carebroker.accounts.models import Role
    from tests.factories import make_user

    broker = Client()
    broker.force_login(make_user(council, Role.BROKER))
    assert broker.post("/demo/clock/").status_code == 403


def test_demo_at_a_bad_time_names_the_option(tmp_path):
    env = {"CAREBROKER_VAR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [*CLI, "demo", "--no-serve", "--at", "tomorrow"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "--at" in result.stderr and "2026-12-01 12:00" in result.stderr
