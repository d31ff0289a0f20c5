"""The council's policy and working calendar: the one cache of the process,
sourcing/market_db.py `policy_and_calendar` (read once per council and stored text)."""

from __future__ import annotations

from carebroker.sourcing.market_db import policy_and_calendar

__all__ = ["policy_and_calendar"]
