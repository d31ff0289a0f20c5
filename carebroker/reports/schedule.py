"""Scheduled report emails (filled in below)."""

from __future__ import annotations

from datetime import datetime


def send_scheduled_reports(now: datetime) -> list[str]:
    return []
