"""bench/national.py's loader at a tiny scale: what the what-if engine made is what COPY
loaded, per council, and a live package is one the worker and the portal can take up.
PostgreSQL only (COPY): `make test-postgres` runs it."""

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from carebroker.engine import engine
from carebroker.engine.inputs import Tick
from carebroker.engine.vocabulary import LIVE
from carebroker.sourcing.market_db import market_of
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent
from carebroker.sourcing.runner import state_of

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

BENCH = Path(__file__).resolve().parents[1] / "bench" / "national.py"


def _national():
    spec = importlib.util.spec_from_file_location("bench_national", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_national"] = module
    spec.loader.exec_module(module)
    return module


def test_two_councils_get_the_county_year_each_with_live_packages_the_engine_can_step():
    national = _national()
    now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # just after the 16:00 batch
    run = national.generate(800, now - timedelta(minutes=1))
    states = [s for s in run.states if s.status != "new"]
    requests = sum(len(s.requests) for s in states)
    events = sum(len(s.events) for s in states)
    live = [s for s in states if s.status in LIVE]
    assert states and requests and events and live  # the tiny year still has live packages

    loaded = national.load(run, 2, now)

    councils = {b.council for b in loaded["brokers"]}
    assert len(councils) == 2
    for council in councils:
        packages = Package.objects.filter(council=council)
        assert packages.count() == len(states)
        assert SourcingRequest.objects.filter(package__council=council).count() == requests
        assert TimelineEvent.objects.filter(package__council=council).count() == events
        assert packages.filter(engine_state__isnull=False).count() == len(live)
        # A live package's snapshot names this council's providers, and steps on its market.
        row = packages.filter(engine_state__isnull=False).order_by("pk").first()
        state = state_of(row)
        ours = {str(pk) for pk in council.providers.values_list("pk", flat=True)}
        assert state.requests and {r.provider for r in state.requests} <= ours
        assert row.next_due is not None
        engine.step(market_of(council), state, Tick(row.next_due))
    assert loaded["rows"]["sourcing_package"] == 2 * len(states)
    # The open requests the spike may answer are real open rows of live packages.
    for _council, request, provider in loaded["live_requests"][:20]:
        row = SourcingRequest.objects.get(pk=request)
        assert row.outcome == "open" and row.provider_id == provider
        assert row.package.status in LIVE
    # Sequences moved past the copied ids: the next package made the ordinary way fits.
    assert Package.objects.order_by("-pk").first().pk == loaded["rows"]["sourcing_package"]
