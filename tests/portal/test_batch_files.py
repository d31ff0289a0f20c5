"""Batch report files in the provider portal (issue 6 items 1-2; docs/policies.md §4.2, seed
002): a provider downloads the batch reports sent to it, and only those, and uploads one
back ticked; each ticked package is interest at the time the file arrived, and a file the
importer refuses is shown with its problem and records nothing."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebroker.accounts.models import Role
from carebroker.exchange.provider_lists import send_batch_reports
from carebroker.outbox.models import NoticeAttachment
from carebroker.portal.forms import MAX_RETURN_BYTES
from carebroker.sourcing.models import SourcingRequest
from tests.exchange.batch_world import FRIDAY_16, MONDAY_10, essex_batch
from tests.exchange.test_interest_returns import snapshot, ticked
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

MONDAY_0930 = MONDAY_10 - timedelta(minutes=30)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world():
    """The Essex Friday batch, issued, with its batch report notices queued as the
    worker's sweep queues them (exchange/provider_lists.py)."""
    world = essex_batch()
    send_batch_reports(FRIDAY_16)
    return world


def report_of(provider) -> NoticeAttachment:
    """The batch report workbook sent to this provider (its notice's key names it)."""
    return NoticeAttachment.objects.get(
        notice__kind="batch_report", notice__key__startswith=f"batch_report:{provider.pk}:"
    )


@pytest.fixture
def alder(client, world, clock):
    """Alder Homecare 1 (Tier 1 in North) signed in at Monday 09:30, before the deadline."""
    clock.now = MONDAY_0930
    user = make_user(world.council, Role.PROVIDER, provider=world.tier1[0])
    assert client.login(username=user.username, password=PASSWORD)
    return client


def interest_of(world, case, provider):
    return SourcingRequest.objects.get(
        package=world.packages[case], provider=provider, round="interest"
    )


def upload(client, content: bytes, name: str = "back.xlsx"):
    return client.post(
        reverse("portal:interest_return"),
        {"file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def test_provider_downloads_its_own_batch_report_from_the_documents_page(alder, world):
    """The documents page lists the batch report sent to us, and its link returns the very
    workbook attached to our notice, as a download."""
    own = report_of(world.tier1[0])
    page = alder.get(reverse("portal:documents"))
    assert page.status_code == 200
    link = reverse("portal:batch_report", args=[own.pk])
    assert link in page.content.decode() and own.filename in page.content.decode()
    response = alder.get(link)
    assert response.status_code == 200
    assert bytes(response.content) == bytes(own.content)
    assert response["Content-Disposition"] == f'attachment; filename="{own.filename}"'


def test_another_providers_batch_report_is_not_found(alder, world):
    """Another provider's batch report (same area, or another area) is a 404 and is not
    listed: the loader filters by the user's own provider."""
    others = [report_of(world.tier1[1]), report_of(world.mid_tier1)]
    page = alder.get(reverse("portal:documents")).content.decode()
    for other in others:
        link = reverse("portal:batch_report", args=[other.pk])
        assert link not in page
        assert alder.get(link).status_code == 404


def test_uploaded_ticked_report_records_interest_at_the_time_it_arrived(alder, world, tmp_path):
    """The downloaded report, ticked in openpyxl and uploaded at 09:30, records interest in
    the ticked packages at 09:30 and says which in the banner; unticked ones stay open."""
    content = alder.get(reverse("portal:batch_report", args=[report_of(world.tier1[0]).pk]))
    path = ticked(content.content, {"M4002": "Y", "M4003": "x"}, tmp_path / "back.xlsx")
    response = upload(alder, path.read_bytes())
    assert response.status_code == 302 and response.url == reverse("portal:requests")
    for case in ("M4002", "M4003"):
        request = interest_of(world, case, world.tier1[0])
        assert (request.outcome, request.responded_at) == ("interest", MONDAY_0930)
    assert interest_of(world, "M4001", world.tier1[0]).outcome == "open"
    assert interest_of(world, "M4002", world.tier1[1]).outcome == "open"
    banner = alder.get(reverse("portal:requests")).content.decode()
    assert "govuk-notification-banner--success" in banner
    assert "interest recorded in M4002, M4003" in banner


@pytest.mark.parametrize(
    ("mangle", "problem"),
    [
        (
            "tick",
            "row 6, Tick to request ISP: must be Y or blank",
        ),  # 'maybe' as a tick: the importer names the row
        ("bytes", "back.xlsx"),  # not a workbook at all: the importer names the file
    ],
)
def test_a_mangled_return_shows_the_importers_problem_and_records_nothing(
    alder, world, tmp_path, mangle, problem
):
    """A return the importer refuses is shown in the GOV.UK error summary, linked to the
    file field, with the importer's message; nothing is recorded."""
    own = bytes(report_of(world.tier1[0]).content)
    if mangle == "tick":
        content = ticked(own, {"M4002": "Y", "M4003": "maybe"}, tmp_path / "back.xlsx")
        content = content.read_bytes()
    else:
        content = own[: len(own) // 2]  # a truncated download
    before = snapshot()
    response = upload(alder, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'href="#id_file"' in page
    assert problem in page
    assert snapshot() == before
    assert interest_of(world, "M4002", world.tier1[0]).outcome == "open"


def test_a_return_over_5_mb_is_refused_before_it_is_read(alder, world):
    """An upload larger than 5 MB is refused with a clear error; nothing is recorded."""
    before = snapshot()
    response = upload(alder, b"PK\x03\x04" + b"0" * MAX_RETURN_BYTES)
    assert response.status_code == 400
    assert "smaller than 5 MB" in response.content.decode()
    assert snapshot() == before


def test_a_zip_bomb_return_is_refused_fast_naming_the_file_and_records_nothing(alder, world):
    """Issue 12 finding 1: the 1 MB workbook unpacking past the caps is refused in the
    error summary, naming the uploaded file and the part, in seconds; nothing recorded."""
    from carebroker.exchange import sheets
    from tests.exchange.bombs import shared_string_bomb

    bomb = shared_string_bomb(sheets.MAX_MEMBER_UNPACKED // (1 << 20) + 16)
    before = snapshot()
    started = time.monotonic()
    response = upload(alder, bomb, name="../../etc/bomb.xlsx")
    # Seconds even on a loaded machine (a child process starts Django); the message is the
    # real check: read whole, the bomb fails the child's memory limit with other words.
    assert time.monotonic() - started < 30
    assert response.status_code == 400
    page = response.content.decode()
    assert "bomb.xlsx: xl/sharedStrings.xml unpacks to" in page
    assert snapshot() == before


def test_a_return_is_read_in_a_child_process_under_a_memory_limit(
    alder, world, tmp_path, monkeypatch
):
    """The upload is parsed off the web worker: with the child's memory limit set below
    what reading needs, a good return is refused as too big to read, not read in-process."""
    monkeypatch.setenv("CAREBROKER_UPLOAD_MEMORY_MB", "40")
    content = alder.get(reverse("portal:batch_report", args=[report_of(world.tier1[0]).pk]))
    path = ticked(content.content, {"M4002": "Y"}, tmp_path / "back.xlsx")
    before = snapshot()
    response = upload(alder, path.read_bytes())
    assert response.status_code == 400
    assert "back.xlsx: could not be read within the memory" in response.content.decode()
    assert snapshot() == before
