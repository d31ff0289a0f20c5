"""Issue 11 finding 4 and "paperwork issued": Leicestershire's award makes the IPA and sends it
to the winner for signature (docs/policies.md §6 Filled), kept with the package and listed on
its page; and no provider is ever sent a full-record document before its award, nor another
provider's (docs/policies.md §6.2), tested through the outbox."""

from html import escape

import pytest

from carebroker.outbox.models import Notice
from carebroker.placements.models import PlacementDocument
from carebroker.providers.models import Contact
from carebroker.sourcing.models import Package
from tests.sourcing.scenario_db import drive, load, read_example
from tests.web.pages import client_for, main_of

pytestmark = pytest.mark.django_db
FULL_RECORD = (
    "ipa",
    "confirmation_form",
    "sdo",
    "signed_ipa",
    "countersigned_ipa",
    "commencement_letter",
)


def _provider_of(addresses):
    found = Contact.objects.filter(email__in=addresses).values_list("provider_id", flat=True)
    return set(found)


def _full_record_only_to_the_winner_after_the_award(council):
    full = {
        (d.package_id, d.filename): d
        for d in PlacementDocument.objects.filter(council=council, kind__in=FULL_RECORD)
    }
    checked = 0
    for notice in Notice.objects.filter(council=council).prefetch_related("attachments"):
        providers = _provider_of(notice.to + notice.cc)
        if not providers:
            continue
        for attachment in notice.attachments.all():
            document = full.get((notice.package_id, attachment.filename))
            if document is None:
                continue
            package = document.package
            assert package.awarded_at is not None and notice.created_at >= package.awarded_at
            assert providers == {package.awarded_provider_id}
            checked += 1
    return checked


def test_leics_award_sends_the_ipa_to_the_winner_and_lists_it_on_the_package():
    loaded = load(read_example("leics-short-breaks"))
    drive(loaded)
    package = Package.objects.get(council=loaded.council, case_number="L3001")
    assert package.awarded_provider is not None
    award = Notice.objects.get(package=package, kind="award")
    names = sorted(a.filename for a in award.attachments.all())
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "pdf"]
    assert all(f"IPA for {package.awarded_provider.name}" in n for n in names)
    kept = PlacementDocument.objects.filter(package=package, kind="ipa")
    assert sorted(kept.values_list("filename", flat=True)) == names
    assert _provider_of(award.to) == {package.awarded_provider_id}
    broker = loaded.council.users.filter(role="broker").first()
    page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    assert all(escape(name) in page for name in names)
    assert _full_record_only_to_the_winner_after_the_award(loaded.council) >= 2


def test_no_full_record_reaches_a_provider_before_its_award_in_any_preset():
    for preset in ("essex-lah", "kent-oppd", "leics-short-breaks"):
        loaded = load(read_example(preset))
        drive(loaded)
        _full_record_only_to_the_winner_after_the_award(loaded.council)
