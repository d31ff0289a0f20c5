"""The demo: `carebroker seed-demo` data and `carebroker demo`, which runs the whole product."""

import http.cookiejar
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from carebroker.accounts.models import STAFF_ROLES, Role, User
from carebroker.councils.models import Council, PostcodeDistrict
from carebroker.demo import people
from carebroker.demo.caseload import SHAPES
from carebroker.demo.presets import DEMO_COUNCILS
from carebroker.demo.seed import DEMO_PASSWORD, seed_demo
from carebroker.demo.supervisor import Child, Supervisor
from carebroker.providers.models import Provider, ProviderArea, ProviderKind
from carebroker.referrals.models import Person, Referral, ReferralStatus
from carebroker.sourcing.models import Package, PackageStatus

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# The statuses the engine can bring a package of each preset to (the demo is made by the
# engine): Essex checks no documents (nothing returned) and its open market lists a package
# until it is placed (nothing unfilled); Leicestershire asks the worker at `unable_to_fill`
# instead of leaving a package unfilled.
# `held` is a broker's hold by hand (engine/vocabulary.py): the seed makes no broker hold one.
EVERY = set(PackageStatus.values) - {PackageStatus.HELD}
REACHABLE = {
    "essex-lah": EVERY - {PackageStatus.RETURNED, PackageStatus.UNFILLED},
    "kent-oppd": EVERY,
    "leics-short-breaks": EVERY - {PackageStatus.UNFILLED},
}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CLI = [sys.executable, "-m", "carebroker.cli"]
DRAMA_PHONE = re.compile(r"01632 960\d{3}")


@pytest.fixture(scope="module")
def seeded(demo):  # noqa: ANN001, ANN201
    """The demo as seeded at NOW, shared with the modules that follow (tests/demo_once.py)."""
    return demo


def counts() -> dict[str, int]:
    models = (Council, Provider, ProviderArea, Person, Referral, Package, User)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_seed_demo_twice_gives_the_same_counts():
    """Seeding again creates nothing new: existing demo councils are kept as they are."""
    first = seed_demo(now=NOW)
    after_first = counts()
    second = seed_demo(now=NOW)
    assert counts() == after_first
    assert second.created == []
    assert second.kept == first.created == [spec.name for spec in DEMO_COUNCILS]


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_seed_demo_is_the_same_every_time():
    """The demo is drawn from a fixed seed: the same people and packages on every fresh seed."""

    def fingerprint():
        return sorted(
            Package.objects.values_list("council__slug", "case_number", "person__name", "status")
        )

    with transaction.atomic():
        seed_demo(now=NOW)
        first = fingerprint()
        transaction.set_rollback(True)
    assert counts()["Package"] == 0
    seed_demo(now=NOW)
    assert fingerprint() == first


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_reseeding_keeps_a_council_changes_and_never_resets_a_password():
    """A kept council keeps what happened to it; an existing login keeps its password
    (issue 12 finding 6: seed-demo never changes an existing account's password)."""
    seed_demo(now=NOW)
    package = Package.objects.filter(status=PackageStatus.SOURCING).first()
    Package.objects.filter(pk=package.pk).update(status=PackageStatus.CANCELLED)
    broker = User.objects.get(username="essex-broker")
    broker.set_password("changed by a tester")
    broker.save()
    seed_demo(now=NOW)
    assert Package.objects.get(pk=package.pk).status == PackageStatus.CANCELLED
    assert User.objects.get(username="essex-broker").check_password("changed by a tester")


@pytest.mark.parametrize("spec", DEMO_COUNCILS, ids=lambda spec: spec.prefix)
def test_each_demo_council_has_about_40_providers_and_150_packages(seeded, db, spec):
    """One demo council per preset, named as a demo, with about 40 providers and 150 packages."""
    council = Council.objects.get(slug=spec.slug)
    assert council.policy_name == spec.policy_name
    assert "Demo" in council.name
    assert 35 <= council.providers.count() <= 45
    assert 140 <= council.packages.count() <= 160
    statuses = set(council.packages.values_list("status", flat=True))
    assert statuses == REACHABLE[spec.policy_name]


@pytest.mark.parametrize("spec", DEMO_COUNCILS, ids=lambda spec: spec.prefix)
def test_every_role_has_a_demo_login_and_only_brokers_and_managers_are_staff(seeded, db, spec):
    """prefix-role logins for every role; staff (admin access) only for brokers and managers."""
    council = Council.objects.get(slug=spec.slug)
    for role in Role:
        user = User.objects.get(username=f"{spec.prefix}-{role.value}")
        assert user.council == council
        assert user.role == role
        assert user.is_staff == (role in STAFF_ROLES)
        assert not user.is_superuser
        assert user.check_password(DEMO_PASSWORD)
        assert user.email.endswith("@demo.example.org")  # notices to them need an address
    provider_user = User.objects.get(username=f"{spec.prefix}-provider")
    assert provider_user.provider.council == council
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.council is None


def test_demo_records_obey_the_model_rules(seeded, db):
    """Every demo record passes full_clean: the demo is data the product itself would accept."""
    for model in (PostcodeDistrict, Provider, ProviderArea, Person, Referral, Package, User):
        for record in model.objects.all():
            record.full_clean()


def test_demo_people_are_made_up_with_drama_phone_numbers_and_council_postcodes(seeded, db):
    """Names come from the invented lists, phones from 01632 960xxx, postcodes from the
    council's own districts."""
    for spec in DEMO_COUNCILS:
        districts = {district for area in spec.areas for district in area.districts}
        for person in Person.objects.filter(council__slug=spec.slug):
            first, surname = person.name.split(" ")
            assert first in people.FIRST_NAMES and surname in people.SURNAMES
            assert DRAMA_PHONE.fullmatch(person.phone)
            assert DRAMA_PHONE.fullmatch(person.principal_contact_phone)
            assert person.postcode.split(" ")[0] in districts


@pytest.mark.parametrize("spec", DEMO_COUNCILS, ids=lambda spec: spec.prefix)
def test_demo_packages_cover_stages_gates_and_flags_of_the_policy(seeded, db, spec):
    """Packages sit in the policy's own stages and gates, with the flags brokers meet; awards
    go to a provider of the same council."""
    packages = Package.objects.filter(council__slug=spec.slug)
    shape = SHAPES[spec.policy_name]
    assert set(shape.stages) <= set(packages.values_list("stage", flat=True))
    on_hold = packages.filter(status=PackageStatus.ON_HOLD)
    assert set(on_hold.values_list("gate", flat=True)) <= set(shape.gates)
    assert not on_hold.filter(gate="").exists()
    assert not packages.exclude(status=PackageStatus.ON_HOLD).exclude(gate="").exists()
    awarded = packages.filter(status=PackageStatus.AWARDED)
    assert not awarded.filter(awarded_provider=None).exists()
    assert not awarded.exclude(awarded_provider__council__slug=spec.slug).exists()
    flags = ["urgent"]
    flags += ["hospital_discharge", "change_to_existing"] if spec.adults else ["emergency"]
    if spec.policy_name == "essex-lah":
        flags += ["target_supply_area", "enhanced_rate"]
    for flag in flags:
        assert packages.filter(**{flag: True}).exists(), flag
    assert Referral.objects.filter(council__slug=spec.slug).exclude(documents=[]).exists()
    returned = Referral.objects.filter(council__slug=spec.slug, status=ReferralStatus.RETURNED)
    assert returned.exists() == (PackageStatus.RETURNED in REACHABLE[spec.policy_name])
    assert all(referral.missing for referral in returned)


def test_demo_markets_have_the_shape_of_each_preset(seeded, db):
    """Essex: five quadrants, tiers 1 and 2. Kent: clusters in localities, three provider
    kinds, some sanctioned, CQC ratings. Leics: framework and non-framework providers with
    lots 1-3, support types, age limits and hourly rates."""
    essex = Provider.objects.filter(council__slug="demo-essex")
    assert set(Council.objects.get(slug="demo-essex").areas.values_list("name", flat=True)) == {
        "North",
        "Mid",
        "West",
        "South East",
        "South West",
    }
    assert set(essex.exclude(tier=None).values_list("tier", flat=True)) == {1, 2}
    kent = Provider.objects.filter(council__slug="demo-kent")
    assert set(kent.values_list("kind", flat=True)) == {
        ProviderKind.CLUSTERED,
        ProviderKind.OTHER_CONTRACTED,
        ProviderKind.NON_CONTRACTED,
    }
    assert kent.filter(sanctioned=True).exists()
    assert kent.exclude(cqc_rating="").exists()
    assert not Council.objects.get(slug="demo-kent").areas.filter(locality="").exists()
    leics = Provider.objects.filter(council__slug="demo-leics")
    assert set(leics.values_list("kind", flat=True)) == {
        ProviderKind.FRAMEWORK,
        ProviderKind.NON_FRAMEWORK,
    }
    assert {lot for lots in leics.values_list("lots", flat=True) for lot in lots} == {1, 2, 3}
    assert not leics.filter(framework_hourly_rate=None).exists()
    assert not leics.filter(max_age=None).exists()
    unranked = Provider.objects.annotate(served=Count("area_ranks")).filter(served=0)
    assert not unranked.exists()


# --- the `carebroker` commands, run as a person would --------------------------------------


def demo_env(var_dir) -> dict[str, str]:
    """A fresh SQLite demo under var_dir, whatever database the suite itself runs on."""
    drop = {"DATABASE_URL", "SECRET_KEY", "CAREBROKER_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    return {**env, "CAREBROKER_VAR": str(var_dir)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow  # subprocesses
def test_demo_no_serve_sets_up_and_prints_every_login(tmp_path):
    """`carebroker demo --no-serve` makes the SQLite database, seeds it and prints the logins;
    `carebroker seed-demo` after it keeps the councils."""
    result = subprocess.run(
        [*CLI, "demo", "--no-serve"], capture_output=True, text=True, env=demo_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "carebroker.sqlite3").exists()
    for spec in DEMO_COUNCILS:
        assert f"Created demo council {spec.name}" in result.stdout
        for role in Role:
            assert f"{spec.prefix}-{role.value}" in result.stdout
    assert DEMO_PASSWORD in result.stdout
    again = subprocess.run(
        [*CLI, "seed-demo"], capture_output=True, text=True, env=demo_env(tmp_path)
    )
    assert again.returncode == 0, again.stderr
    assert "Kept Essex County Council (Demo)" in again.stdout


@pytest.mark.slow  # subprocesses
def test_seed_demo_on_an_empty_database_says_to_migrate_first(tmp_path):
    """Seeding a database without tables fails with what to do, not a traceback."""
    result = subprocess.run(
        [*CLI, "seed-demo"], capture_output=True, text=True, env=demo_env(tmp_path)
    )
    assert result.returncode != 0
    assert "run `carebroker migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # subprocesses
def test_demo_refuses_a_port_in_use(tmp_path):
    """A busy port is refused up front, naming the option to change."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*CLI, "demo", "--port", str(port)],
            capture_output=True,
            text=True,
            env=demo_env(tmp_path),
            timeout=60,
        )
    assert result.returncode != 0
    assert f"--port: 127.0.0.1:{port} is already in use" in result.stderr


@pytest.mark.slow  # subprocesses
def test_demo_serves_sign_in_and_home_then_stops_both_children_on_sigterm(tmp_path):
    """`carebroker demo --port P` serves the GOV.UK sign-in page and its CSS; a demo login
    reaches its home page; SIGTERM stops the web server and the worker, and the demo exits 0."""
    port = free_port()
    demo = subprocess.Popen(
        [*CLI, "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=demo_env(tmp_path),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout], daemon=True).start()
    try:
        output = wait_for_line(lines, "is running at http://", timeout=120)
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/" in output
        pids = {name: int(pid) for name, pid in re.findall(r"Started (\w+) \(pid (\d+)\)", output)}
        assert set(pids) == {"web", "worker"}

        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login_page = browser.open(f"{base}/login/", timeout=60).read().decode()
        assert 'class="govuk-template"' in login_page
        css = browser.open(f"{base}/static/govuk/govuk-frontend.min.css", timeout=60).read()
        assert b".govuk-header" in css
        # GOV.UK Frontend's CSS asks for its fonts at /assets/ (web/static_files.py).
        font = re.search(rb"url\((/assets/fonts/[^)]+\.woff2)\)", css).group(1).decode()
        assert browser.open(f"{base}{font}", timeout=60).status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": "kent-broker", "password": DEMO_PASSWORD}
        home = browser.open(
            f"{base}/login/", data=urllib.parse.urlencode(form).encode(), timeout=60
        )
        assert home.url == f"{base}/"
        page = home.read().decode()
        assert "Kent County Council (Demo)" in page
        assert "Broker" in page

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=30) == 0
        for pid in pids.values():
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


def wait_for_line(lines: queue.Queue[str], marker: str, timeout: float) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(
                f"no line with {marker!r} within {timeout}s; output so far:\n{''.join(seen)}"
            )
        seen.append(line)
        if marker in line:
            return "".join(seen)


@pytest.mark.slow  # subprocesses
def test_supervisor_stops_the_other_child_when_one_dies(capsys):
    """If one demo process dies, the other is stopped and the demo reports failure (exit 1)."""
    sleeper = Child("worker", [sys.executable, "-c", "import time; time.sleep(60)"])
    crasher = Child("web", [sys.executable, "-c", "raise SystemExit(3)"])
    supervisor = Supervisor([sleeper, crasher], sys.stdout)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    supervisor.start()
    try:
        assert supervisor.run() == 1
    finally:
        for process in supervisor.processes.values():
            if process.poll() is None:
                process.kill()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert supervisor.processes["worker"].poll() is not None
    assert "web stopped unexpectedly (exit code 3)" in capsys.readouterr().out


# --- the demo is made by the engine (issue 10 item 1) ---------------------------------------


def test_every_seeded_package_has_the_engine_state_its_columns_say(seeded, db):
    """No seeded package lacks an engine state: the status, stage and gate on the row are the
    engine's own, and its requests and timeline are what the engine did."""
    from carebroker.sourcing.runner import state_of

    for package in Package.objects.all():
        state = state_of(package)  # raises "sourcing has not started" if there is none
        shown = "sourcing" if state.status == "new" else state.status
        assert (package.status, package.stage, package.gate) == (
            shown,
            state.stage or "",
            state.gate or "",
        ), package.case_number
        assert package.requests.count() == len(state.requests)
        assert package.timeline.count() == len(state.events)


@pytest.mark.parametrize(
    ("prefix", "gate", "decision"),
    [
        ("essex", "open_market_choice", "award"),
        ("kent", "non_contracted_approval", "approve"),
        ("kent", "later_start", "accept"),
        ("leics", "unable_to_fill", "continue"),
        ("leics", "part_offer", "accept_part"),
        ("leics", "mini_competition", "award"),
    ],
)
def test_a_decision_at_any_seeded_gate_moves_the_package_on(seeded, db, prefix, gate, decision):
    """A seeded package waiting at a gate takes the decision the gate is for (the demo's
    gates used to fail with "sourcing has not started (no engine state)")."""
    from carebroker.engine.inputs import Decision
    from carebroker.sourcing.runner import do_council

    package = Package.objects.filter(
        council__slug=f"demo-{prefix}", status=PackageStatus.ON_HOLD, gate=gate
    ).first()
    assert package is not None, f"no {prefix} package waits at {gate}"
    offered = package.requests.filter(outcome="offer").order_by("rate", "seq").first()
    if decision == "award":
        assert offered is not None, "a choice gate with no offer to choose from"
    provider = str(offered.provider_id) if offered and decision == "award" else None
    at = max(NOW, package.timeline.latest("at").at)
    with transaction.atomic():
        outcome = do_council(
            package,
            Decision(
                at=at,
                actor="manager",
                action="decide",
                gate=gate,
                choice=decision,
                provider=provider,
            ),
            now=at,
        )
        transaction.set_rollback(True)
    types = [event.type for event in outcome.events]
    assert "gate_passed" in types, types
    assert outcome.state.gate != gate


def test_the_essex_open_market_gate_has_offers_to_choose_from(seeded, db):
    """Every Essex package at the open-market choice has at least one provider's offer."""
    waiting = Package.objects.filter(council__slug="demo-essex", gate="open_market_choice")
    assert waiting.exists()
    for package in waiting:
        assert package.requests.filter(outcome="offer", stage="open_market").exists()


def test_demo_logins_have_names_so_notices_never_greet_a_login(seeded, db):
    """ "Dear kent-referrer" no more (issue 10 item 3): every demo login has a made-up name."""
    for user in User.objects.exclude(username="admin"):
        assert user.get_full_name().strip(), user.username
