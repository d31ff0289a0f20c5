"""The policy simulator in real Chromium (issue 13): a manager opens it from the reports,
starts a simulation from a copy of the council's policy, sees a bad field named, corrects
it, watches the progress while the worker runs the job, and reads the result side by side,
downloads it, and finds it in the list. Every page is screenshotted and checked by axe
(the form, the result and the list at a phone's width too)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from carebroker.accounts.models import Role
from carebroker.referrals.models import Referral
from carebroker.reports.models import Simulation, SimulationStatus
from carebroker.sourcing.jobs import run_ready_jobs
from tests.factories import make_user
from tests.reports.world import NOW, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

WIDTHS = (1200, 390)  # a desktop and a phone, as test_tour.py checks every page


def test_a_manager_runs_a_policy_simulation_to_the_end(pages, clock):
    clock.now = NOW
    world = build_world()
    Referral.objects.filter(council=world.council).update(
        documents=["financial_authorisation", "referral_form", "charging_letter"]
    )
    manager = make_user(world.council, Role.MANAGER)
    page = pages.sign_in(manager.username)
    pages.goto(page, "/reports/", "reports")
    with page.expect_navigation():
        page.click("text=Policy simulations")
    pages.look(page, "simulations-none")
    with page.expect_navigation():
        page.click("#new-simulation")
    pages.look_at_widths(page, "simulation-form", WIDTHS)
    policy = page.input_value("#id_policy")
    assert 'name = "kent-oppd"' in policy  # a copy of the council's policy

    page.fill("#id_name", "A four hour window")
    page.fill("#id_weeks", "40")
    page.fill("#id_policy", policy.replace('day_end = "17:00"', 'day_end = "teatime"', 1))
    with page.expect_navigation():
        page.click("#run-simulation")
    pages.look(page, "simulation-form-errors")
    summary = page.inner_text(".govuk-error-summary")
    assert "Enter the number of weeks to replay" in summary
    assert "working_time.day_end" in summary  # the bad policy field, named
    assert Simulation.objects.count() == 0

    page.fill("#id_weeks", "4")
    edited = policy.replace('window = "2 working hours"', 'window = "4 working hours"', 1)
    page.fill("#id_policy", edited)
    # Hold htmx's progress requests in the browser while the job runs in this thread: the
    # live server and this thread share one SQLite connection (tests/browser/conftest.py).
    page.route("**/progress/", lambda route: route.continue_())
    with page.expect_navigation():
        page.click("#run-simulation")
    pages.look(page, "simulation-waiting")
    assert "Waiting to start" in page.inner_text("#simulation-status")
    assert page.locator("progress#simulation-bar").count() == 1

    assert run_ready_jobs("browser") == ["job run_simulation: successful"]
    assert Simulation.objects.get().status == SimulationStatus.FINISHED
    # htmx asks for the progress again, hears that the run is over and loads the page whole
    page.wait_for_selector("#figure-summary", timeout=15000)
    pages.look_at_widths(page, "simulation-result", WIDTHS)
    side = page.inner_text("#table-summary")
    assert "Packages placed" in side and "Requests per placement" in side
    assert "Current policy" in side and "Edited policy" in side
    assert "only 7 requests" in page.inner_text("#simulation-fit")
    changed = page.inner_text("#policy-changes")
    assert (
        'window = "2 working hours"' in changed and 'window = "4 working hours"' in changed
    )  # too few: the examples

    with page.expect_download() as done:
        page.click("#figure-summary-section >> text=CSV")
    rows = list(csv.reader(io.StringIO(Path(done.value.path()).read_text("utf-8-sig"))))
    assert rows[0] == ["Figure", "Current policy", "Edited policy", "Difference"]
    assert rows[1][0] == "Packages placed"
    with page.expect_download() as done:
        page.click("#download-all")
    assert done.value.suggested_filename.endswith(".xlsx")

    with page.expect_navigation():
        page.click("text=Policy simulations")
    pages.look_at_widths(page, "simulations", WIDTHS)
    assert "A four hour window" in page.inner_text("#simulations")
    assert "Finished" in page.inner_text("#simulations")
