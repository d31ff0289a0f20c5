"""Issue 12 finding 11: the redaction is a heuristic, so a broker reads the provider view and
confirms it before the first request goes out (docs/policies.md §6.2, `review_provider_view`),
and the names and words the broker removes are learned (the package's, then the council's)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from carebroker.accounts.models import Role
from carebroker.engine.policy import PRESETS
from carebroker.engine.policy_reader import load_policy
from carebroker.outbox.delivery import deliver_due
from carebroker.outbox.models import Notice
from carebroker.sourcing import actions
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package, PackageStatus
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.outbox.smtp import SmtpServer
from tests.sourcing.kent import DOCUMENTS, NOW

pytestmark = pytest.mark.django_db

NEEDS = (
    "Help with washing and dressing. Her neighbour Jean Hollis looks in every evening; "
    "her GP is Dr Anand Rao at the Elm Road Surgery."
)
SECRETS = ("Hollis", "Anand", "Rao", "Elm Road")


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def _kent_package_to_review():
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    area = make_area(council, "Ashford A")
    for rank in (1, 2):
        make_provider(council, areas={area: rank})
    person = make_person(council, needs=NEEDS)
    referral = make_referral(council, person=person, documents=DOCUMENTS)
    package = make_package(council, referral=referral, area=area, view_confirmed_at=None)
    do_submit_referral(referral, NOW)
    package.refresh_from_db()
    return council, broker, package


def test_every_preset_has_the_provider_view_reviewed_before_the_first_request():
    assert all(load_policy(name).review_provider_view for name in PRESETS)


def test_no_request_goes_out_until_a_broker_confirms_the_provider_view():
    _council, broker, package = _kent_package_to_review()
    assert package.status == PackageStatus.HELD
    assert not package.requests.exists()
    assert not Notice.objects.filter(kind="request_sent").exists()
    with pytest.raises(actions.ActionError, match="confirm what providers will see first"):
        actions.do_release(broker, package, NOW + timedelta(minutes=5))

    actions.do_confirm_view(broker, package, "", NOW + timedelta(minutes=10))
    package.refresh_from_db()
    assert package.status == PackageStatus.SOURCING
    assert package.view_confirmed_by == broker.get_username()
    assert Notice.objects.filter(kind="request_sent").count() == 1


def test_names_a_broker_removes_never_reach_a_providers_email(smtp):
    council, broker, package = _kent_package_to_review()
    # What the heuristic missed: a neighbour, a GP, a street that is not the person's address.
    assert "Hollis" in actions.preview_view(package)["needs"]
    words = "Jean Hollis\nAnand Rao, Elm Road"
    assert all(
        s not in actions.preview_view(package, ["Jean Hollis", "Anand Rao", "Elm Road"])["needs"]
        for s in SECRETS
    )

    actions.do_confirm_view(broker, package, words, NOW + timedelta(minutes=10))
    report = deliver_due(NOW + timedelta(minutes=11), worker_id="test")
    assert len(report.sent) == 1
    [email] = smtp.messages
    text = "\n".join(part.get_content() for part in email.walk() if not part.is_multipart())
    assert "washing and dressing" in text
    for secret in SECRETS:
        assert secret not in text
    package.refresh_from_db()
    assert package.redact_words == ["Jean Hollis", "Anand Rao", "Elm Road"]
    council.refresh_from_db()
    assert council.redact_words == ["Jean Hollis", "Anand Rao", "Elm Road"]


def test_the_council_learns_the_words_for_its_next_packages():
    council, broker, package = _kent_package_to_review()
    actions.do_confirm_view(broker, package, "Jean Hollis", NOW + timedelta(minutes=10))
    person = make_person(council, needs="Jean Hollis, a neighbour, has the key.")
    referral = make_referral(council, person=person, documents=DOCUMENTS)
    second = make_package(council, referral=referral, area=package.area, view_confirmed_at=None)
    do_submit_referral(referral, NOW + timedelta(hours=1))
    second.refresh_from_db()
    assert "Hollis" not in second.provider_view["needs"]
    assert "neighbour" in second.provider_view["needs"]


def test_bad_words_are_refused_by_field_and_nothing_changes():
    _council, broker, package = _kent_package_to_review()
    with pytest.raises(ValidationError) as error:
        actions.do_confirm_view(broker, package, "Jean Hollis\nx", NOW + timedelta(minutes=10))
    assert "words" in error.value.message_dict
    package = Package.objects.get(pk=package.pk)
    assert package.status == PackageStatus.HELD
    assert package.redact_words == []
    assert not Notice.objects.filter(kind="request_sent").exists()


def test_the_broker_checks_and_confirms_the_view_on_its_page(client):
    _council, broker, package = _kent_package_to_review()
    client.force_login(broker)
    url = f"/packages/{package.case_number}/provider-view/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Hollis" in page.content.decode()  # what the rules missed, shown to the broker
    preview = client.post(url, {"view-words": "Jean Hollis", "action": "preview"})
    assert (
        "Hollis" not in preview.content.decode().split('id="provider-view"')[1].split("</div>")[0]
    )
    assert not Notice.objects.filter(kind="request_sent").exists()  # a preview saves nothing
    bad = client.post(url, {"view-words": "x", "action": "confirm"})
    assert bad.status_code == 400
    assert "too short to remove" in bad.content.decode()
    done = client.post(url, {"view-words": "Jean Hollis", "action": "confirm"})
    assert done.status_code == 302
    [notice] = Notice.objects.filter(kind="request_sent")
    assert "Hollis" not in notice.body
