"""The demo clock (issue 10, beyond the findings): a demo that can be explored at any hour.

`carebroker demo --at "2026-12-01 12:00"` starts the demo at that London time, and an
administrator can move it on to the next thing due ("advance to the next event"), so a
newcomer can issue Essex's 16:00 batch at noon. The clock is the real clock plus an offset
kept in `<CAREBROKER_VAR>/demo-clock`, shared by the web server and the worker; every
rule already reads the time through `django.utils.timezone.now` and takes `now` from it.

Only a process started with `CAREBROKER_DEMO_CLOCK=1` (set by `carebroker demo` for its
children) reads the offset, and never in production: nothing else ever runs on a moved clock.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

ENV = "CAREBROKER_DEMO_CLOCK"
LONDON = ZoneInfo("Europe/London")
_REAL_NOW = timezone.now
_lock = threading.Lock()
_cache: dict[str, float] = {"read_at": -1.0, "offset": 0.0}


def path() -> Path:
    return Path(settings.VAR_DIR) / "demo-clock"


def active() -> bool:
    return os.environ.get(ENV) == "1" and not getattr(settings, "PRODUCTION", False)


def parse_at(text: str) -> datetime:
    """ "2026-12-01 12:00" (London time) as an aware datetime; ValueError says what to type."""
    try:
        moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007 - London below
    except ValueError:
        raise ValueError(f'{text!r}: give a London time like "2026-12-01 12:00"') from None
    return moment.replace(tzinfo=LONDON)


def offset() -> timedelta:
    """The demo clock's lead over the real clock (read from the file at most once a second)."""
    with _lock:
        now = time.monotonic()
        if now - _cache["read_at"] >= 1.0:
            try:
                _cache["offset"] = float(path().read_text().strip() or 0)
            except (OSError, ValueError):
                _cache["offset"] = 0.0
            _cache["read_at"] = now
        return timedelta(seconds=_cache["offset"])


def set_now(moment: datetime) -> None:
    """Move the demo clock so that it reads `moment` now."""
    seconds = (moment - _REAL_NOW()).total_seconds()
    path().parent.mkdir(parents=True, exist_ok=True)
    path().write_text(f"{seconds:.3f}\n")
    with _lock:
        _cache["read_at"] = -1.0


def real_now() -> datetime:
    return _REAL_NOW()


def demo_now() -> datetime:
    return _REAL_NOW() + offset()


def install() -> None:
    """Every `timezone.now()` of this process reads the demo clock."""
    if active():
        timezone.now = demo_now


def next_event(now: datetime) -> datetime | None:
    """When the next package clock runs out (a batch, a deadline, a listing, a chase)."""
    from django.db.models import Min

    from carebroker.sourcing.models import Package

    return Package.objects.filter(next_due__gt=now).aggregate(first=Min("next_due"))["first"]
