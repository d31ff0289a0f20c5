"""The policy simulator in the browser (issue 13): a manager's form (every bad field named,
nothing kept), the run as a background job the worker does (progress, result kept), the
fit read from the council's own requests, and nothing of the live council changed."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from carebroker.councils.models import Council
from carebroker.engine.policy import PRESETS_DIR, PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.outbox.models import Notice
from carebroker.referrals.models import Referral
from carebroker.reports import simulator
from carebroker.reports.models import Simulation, SimulationStatus
from carebroker.reports.simulator_tables import policy_changes
from carebroker.sourcing.jobs import run_ready_jobs
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent
from tests.factories import make_user
from tests.reports.world import NOW, build_world

pytestmark = pytest.mark.django_db

KENT_TOML = (PRESETS_DIR / "kent-oppd.toml").read_text(encoding="utf-8")
ALL_DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def world(clock):
    world = build_world()
    # Kent asks for three documents (docs/policies.md §5.1): the world's referrals have them
    Referral.objects.filter(council=world.council).update(documents=ALL_DOCUMENTS)
    return world


def manager_client(council):
    client = Client()
    client.force_login(make_user(council, Role.MANAGER))
    return client


def form(**changes):
    return {"name": "A longer window", "weeks": "4", "policy": KENT_TOML} | changes


def live_rows(council):
    """Everything a simulation must leave as it was, row by row."""
    return {
        "packages": list(
            Package.objects.filter(council=council)
            .order_by("pk")
            .values_list("pk", "status", "stage", "awarded_at", "engine_state", "next_due")
        ),
        "requests": SourcingRequest.objects.filter(package__council=council).count(),
        "timeline": TimelineEvent.objects.filter(package__council=council).count(),
        "notices": Notice.objects.count(),
        "council": list(Council.objects.values_list("pk", "policy_name", "policy_toml")),
    }


def test_a_simulation_runs_in_the_worker_keeps_its_result_and_changes_nothing_live(world):
    before = live_rows(world.council)
    client = manager_client(world.council)
    edited = KENT_TOML.replace('window = "2 working hours"', 'window = "4 working hours"', 1)
    response = client.post(reverse("reports:simulation_new"), form(policy=edited))
    run = Simulation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:simulation", args=[run.pk]
    )
    assert run.status == SimulationStatus.QUEUED and run.result is None
    assert run.edited_policy == edited and run.current_policy == KENT_TOML
    assert DBTaskResult.objects.count() == 1  # queued for the worker, not run in the request

    # the worker's job runner alone: its sweeps would move the live packages on by the clock
    assert run_ready_jobs("test") == ["job run_simulation: successful"]

    run.refresh_from_db()
    assert run.status == SimulationStatus.FINISHED and run.progress == 100
    result = run.result
    # M1..M8 were referred 2-20 November; four weeks before Monday 23 November take them all
    assert result["packages"] == 8 and result["providers"] == 2
    for side in ("current", "edited"):
        assert result[side]["packages"] == 8
        assert sum(week[1] for week in result[side]["weeks"]) == 8
    assert live_rows(world.council) == before


def test_the_fit_reads_the_councils_own_requests_of_the_weeks_replayed(world):
    """world.py: 7 finished offer requests, 3 accepted, 3 declined, 1 expired; answered in
    60, 180, 90, 30, 120 and 360 working minutes (median 105)."""
    setup, read = simulator.replay_setup(
        world.council,
        NOW - timedelta(weeks=4),
        NOW,
        simulator.market_of(world.council).calendar,
    )
    assert read.requests == 7
    assert (read.yes, read.no, read.silent) == pytest.approx((3 / 7, 3 / 7, 1 / 7))
    assert read.median_minutes == 105
    assert len(setup.packages) == 8 and setup.until == NOW + timedelta(weeks=4)
    one_week = simulator.replay_setup(
        world.council, NOW - timedelta(weeks=1), NOW, simulator.market_of(world.council).calendar
    )
    assert len(one_week[0].packages) == 1  # M6, referred Friday 20 November
    assert one_week[1].requests == 0


def test_the_replay_copies_no_name_address_or_case_number(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Same", 4, KENT_TOML, NOW
    )
    setup, _ = simulator.replay_setup(
        world.council, *simulator.window(simulation), simulator.market_of(world.council).calendar
    )
    shown = repr(setup.packages)
    for package in world.packages.values():
        assert package.person.name not in shown
        assert package.person.address not in shown
        assert package.case_number + "'" not in shown
    assert all(p.person is None and p.postcode is None for p in setup.packages)
    simulator.run(simulation.pk)
    simulation.refresh_from_db()
    kept = json.dumps(simulation.result)
    assert not any(p.person.name in kept for p in world.packages.values())


def test_the_same_policy_on_both_sides_gives_no_difference(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Same", 4, KENT_TOML, NOW
    )
    simulator.run(simulation.pk)
    simulation.refresh_from_db()
    assert simulation.result["current"] == simulation.result["edited"]


def test_progress_is_written_as_the_virtual_clock_moves(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Same", 4, KENT_TOML, NOW
    )
    start_at, _ = simulator.window(simulation)
    until = start_at + timedelta(weeks=8)
    simulator._progress(simulation.pk, 0, start_at, until)(start_at + timedelta(weeks=4))
    assert Simulation.objects.get(pk=simulation.pk).progress == 25
    simulator._progress(simulation.pk, 1, start_at, until)(until)
    assert Simulation.objects.get(pk=simulation.pk).progress == 99  # 100 only when kept


def test_a_run_that_fails_says_so_and_keeps_no_result(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Broken", 4, KENT_TOML, NOW
    )
    Simulation.objects.filter(pk=simulation.pk).update(edited_policy="not [valid")
    out = StringIO()
    call_command("worker", "--once", stdout=out)  # the whole worker: the job fails on its own
    assert "job run_simulation: failed" in out.getvalue().splitlines()
    simulation.refresh_from_db()
    assert simulation.status == SimulationStatus.FAILED and simulation.result is None
    page = manager_client(world.council).get(reverse("reports:simulation", args=[simulation.pk]))
    assert "could not finish" in page.content.decode()


def test_bad_toml_is_refused_naming_the_policy_and_nothing_is_kept(world):
    client = manager_client(world.council)
    response = client.post(reverse("reports:simulation_new"), form(policy="not [valid"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "not valid TOML" in page
    assert Simulation.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_every_bad_policy_field_is_named_as_policy_check_names_it(world):
    bad = KENT_TOML.replace('name = "kent-oppd"', 'name = ""', 1)
    bad = bad.replace("[working_time]", "[working_time]\nbogus_field = 3", 1)
    with pytest.raises(PolicyError) as checked:
        load_policy(bad)
    assert len(checked.value.errors) >= 2
    response = manager_client(world.council).post(
        reverse("reports:simulation_new"), form(policy=bad)
    )
    assert response.status_code == 400
    page = response.content.decode()
    for error in checked.value.errors:
        assert error.split(":")[0] in page, error
    assert Simulation.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weeks": "0"}, "Enter the number of weeks to replay"),
        ({"weeks": "27"}, "Enter the number of weeks to replay"),
        ({"weeks": "six"}, "Enter the number of weeks to replay"),
        ({"name": ""}, "Enter a name for this simulation"),
        ({"policy": ""}, "Enter the policy to try"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_kept(world, changes, message):
    response = manager_client(world.council).post(
        reverse("reports:simulation_new"), form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Simulation.objects.count() == 0


def test_the_form_starts_from_a_copy_of_the_councils_policy(world):
    page = manager_client(world.council).get(reverse("reports:simulation_new"))
    assert page.status_code == 200
    assert "name = &quot;kent-oppd&quot;" in page.content.decode()


def test_only_a_manager_of_the_council_may_simulate(world):
    broker = Client()
    broker.force_login(make_user(world.council, Role.BROKER))
    assert broker.get(reverse("reports:simulations")).status_code == 403
    assert broker.post(reverse("reports:simulation_new"), form()).status_code == 403
    assert Simulation.objects.count() == 0
    other = build_world(prefix="X").council  # another Kent council's manager
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Ours", 4, KENT_TOML, NOW
    )
    outsider = manager_client(other)
    assert outsider.get(reverse("reports:simulation", args=[simulation.pk])).status_code == 404


def test_the_result_page_and_downloads_show_both_policies(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Same", 4, KENT_TOML, NOW
    )
    simulator.run(simulation.pk)
    simulation.refresh_from_db()
    client = manager_client(world.council)
    page = client.get(reverse("reports:simulation", args=[simulation.pk])).content.decode()
    for words in ("Side by side", "Current policy", "Edited policy", "Requests per placement",
                  "Working hours from referral to award", "<svg"):  # fmt: skip
        assert words in page, words
    url = reverse("reports:simulation_download", args=[simulation.pk])
    rows = list(
        csv.reader(
            io.StringIO(client.get(url + "?figure=summary&format=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0] == ["Figure", "Current policy", "Edited policy", "Difference"]
    placed = simulation.result["current"]["placed"]
    assert rows[1] == ["Packages placed", str(placed), str(placed), "0"]
    book = load_workbook(io.BytesIO(client.get(url + "?figure=all&format=xlsx").content))
    assert "Side by side" in book.sheetnames
    assert client.get(url + "?figure=all&format=csv").status_code == 404


def test_the_progress_part_asks_the_page_to_reload_once_the_run_is_over(world):
    simulation = simulator.start(
        world.council, make_user(world.council, Role.MANAGER), "Same", 4, KENT_TOML, NOW
    )
    client = manager_client(world.council)
    url = reverse("reports:simulation_progress", args=[simulation.pk])
    waiting = client.get(url)
    assert "HX-Refresh" not in waiting and "Waiting to start" in waiting.content.decode()
    simulator.run(simulation.pk)
    assert client.get(url)["HX-Refresh"] == "true"


def test_what_the_edited_policy_changes_is_listed_line_by_line():
    current = "a = 1\nb = 2\nc = 3\n"
    edited = "a = 1\nb = 5\nc = 3\nd = 4\n"
    assert policy_changes(current, edited) == [(2, "b = 2", "b = 5"), (4, "", "d = 4")]
    assert policy_changes(current, "a = 1\nc = 3\n") == [(2, "b = 2", "")]
    assert policy_changes(current, current) == []
