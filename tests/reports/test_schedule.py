"""The worker's scheduled report emails: Kent's weekly wash-up and monthly management
report to the council's managers, from 08:00 after the period, exactly once per period
(reports/schedule.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.reports.schedule import send_scheduled_reports
from carebroker.sourcing.worker import DUTIES
from tests.factories import make_council, make_user
from tests.reports.world import build_world

pytestmark = pytest.mark.django_db

MONDAY_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)  # GMT: London time is UTC
MONDAY_0800 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_the_worker_runs_the_duty():
    assert send_scheduled_reports in DUTIES


def test_nothing_before_0800_then_each_report_once_per_period():
    world = build_world()
    make_user(world.council, Role.MANAGER, email="asm@council.example.org")
    make_user(world.council, Role.BROKER, email="po@council.example.org")
    assert send_scheduled_reports(MONDAY_0759) == []
    lines = send_scheduled_reports(MONDAY_0800)
    assert len(lines) == 2
    notices = Notice.objects.filter(council=world.council, kind=NoticeKind.REPORT).order_by("key")
    assert [(n.subject, n.to) for n in notices] == [
        ("Monthly management report: October 2026", ["asm@council.example.org"]),
        (
            "Weekly Purchasing wash-up: 16 November 2026 to 22 November 2026",
            ["asm@council.example.org"],
        ),
    ]
    wash_up = notices[1]
    assert "All areas: 2 referrals in, 0 placed, 0 unfilled, 0 handed back, 0 declines" in (
        wash_up.body
    )
    # M4 (15 working days) and M8 (10) at the end of Sunday 22 November.
    assert "Waiting 10 or more working days: M4, M8" in wash_up.body
    book = load_workbook(io.BytesIO(bytes(wash_up.attachments.get().content)))
    assert book.sheetnames[0] == "Per area"
    # Later sweeps the same week and month queue nothing more.
    assert send_scheduled_reports(datetime(2026, 11, 25, 12, 0, tzinfo=UTC)) == []
    # The next Monday: the next week's wash-up only.
    assert len(send_scheduled_reports(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))) == 1
    # 1 December: November's management report.
    assert len(send_scheduled_reports(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))) == 1
    assert Notice.objects.filter(council=world.council, kind=NoticeKind.REPORT).count() == 4


def test_councils_without_kents_reports_get_no_email():
    council = make_council("essex-lah")
    make_user(council, Role.MANAGER, email="m@council.example.org")
    assert send_scheduled_reports(MONDAY_0800) == []
    assert not Notice.objects.filter(council=council).exists()


def test_no_manager_address_is_said_and_nothing_is_queued():
    world = build_world()
    lines = send_scheduled_reports(MONDAY_0800)
    assert lines and all("no manager has an email" in line for line in lines)
    assert not Notice.objects.filter(council=world.council).exists()
