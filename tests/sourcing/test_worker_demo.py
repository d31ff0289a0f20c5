"""`carebroker worker --once` on a freshly seeded demo database (issue 4 item 7)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from carebroker.demo.seed import seed_demo
from carebroker.sourcing.models import Package, TimelineEvent

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _once() -> list[str]:
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
def test_worker_once_on_a_fresh_demo_starts_nothing_and_fails_nothing(settings):
    """The demo is made by the engine (issue 10 item 1): no seeded package waits to be
    adopted, and the first sweep only ticks what is due, without a failure."""
    settings.MAILERS = LOCMEM
    seed_demo(now=timezone.now())
    assert not Package.objects.filter(engine_state__isnull=True).exists()
    lines = _once()
    assert not [line for line in lines if "started" in line or "FAILED" in line]
    assert not TimelineEvent.objects.filter(type="adopted").exists()


@pytest.mark.django_db
def test_worker_once_on_an_empty_database_says_nothing_is_due(settings):
    """No packages, no notices: one line saying so."""
    settings.MAILERS = LOCMEM
    assert _once() == ["nothing due"]
