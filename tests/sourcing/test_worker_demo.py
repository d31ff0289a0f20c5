"""`carebroker worker --once` on a freshly seeded demo database (issue 4 item 7): packages
seeded in sourcing have no engine state; the first sweep starts them and says so."""

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
def test_worker_once_starts_every_seeded_package_in_sourcing_and_prints_it(settings):
    """Each demo package being sourced is started by the engine at the first sweep (one
    line each); seeded packages in other statuses are left as seeded; a second sweep
    starts none again."""
    settings.MAILERS = LOCMEM
    seed_demo(now=timezone.now())
    sourcing = set(
        Package.objects.filter(status="sourcing", referral__status="accepted").values_list(
            "case_number", flat=True
        )
    )
    others = dict(Package.objects.exclude(status="sourcing").values_list("pk", "status"))
    assert sourcing and others
    lines = _once()
    started = {line.split(":")[1].strip() for line in lines if "started" in line}
    assert started == sourcing
    assert not [line for line in lines if "FAILED" in line]
    assert not Package.objects.filter(case_number__in=sourcing, engine_state__isnull=True)
    adopted = TimelineEvent.objects.filter(type="adopted", source="worker")
    assert adopted.count() == len(sourcing)
    still = dict(Package.objects.filter(pk__in=others).values_list("pk", "status"))
    assert still == others
    assert not [line for line in _once() if "started" in line]


@pytest.mark.django_db
def test_worker_once_on_an_empty_database_says_nothing_is_due(settings):
    """No packages, no notices: one line saying so."""
    settings.MAILERS = LOCMEM
    assert _once() == ["nothing due"]
