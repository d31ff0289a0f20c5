"""The package page: the full record and the provider view, the requests counting down, the
timeline, documents; and the broker's actions through their services (PRG, errors by field,
nothing changed on bad input)."""

import re
from datetime import timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.providers.models import Contact
from carebroker.sourcing.models import PackageStatus, SourcingRequest, TimelineEvent
from tests.factories import make_council, make_user
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import QueryCounter, client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(minutes=30)


def _page(client, package, now=NOW):
    with clock(now):
        return client.get(f"/packages/{package.case_number}/")


def test_package_page_shows_full_record_provider_view_requests_and_timeline():
    """A broker sees the person's full record, the anonymised record as providers see it
    (initials, not the name), the first request with its deadline counting down, and the
    timeline of what happened."""
    kent = kent_cluster()
    package = kent.packages[0]
    response = _page(client_for(kent.broker), package)
    page = main_of(response)
    assert response.status_code == 200
    person = package.person
    assert f"data-person-name>{person.name}<" in page
    view = page.split('id="provider-view"')[1].split("</dl>")[0]
    assert person.name not in view
    assert package.provider_view["name"] in view
    first = SourcingRequest.objects.get(package=package, seq=0)
    assert first.provider.name in page
    assert "12:00 on Monday 23 November 2026" in page  # 2 working hours (§5.2)
    assert "2 hours left" in page
    assert 'data-event="referral_checked"' in page


def test_a_package_of_another_council_is_not_found():
    """The loader filters by the user's council: another council's Mosaic ID is a 404."""
    kent = kent_cluster()
    outsider = make_user(make_council("kent-oppd"), Role.BROKER)
    assert _page(client_for(outsider), kent.packages[0]).status_code == 404


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PROVIDER])
def test_package_page_refuses_referrers_and_providers(role):
    kent = kent_cluster()
    user = make_user(kent.council, role)
    assert _page(client_for(user), kent.packages[0]).status_code == 403


def test_deadline_fragment_counts_down_from_the_clock():
    """The htmx fragment re-renders the time left at each call (every 30 seconds)."""
    kent = kent_cluster()
    url = f"/packages/{kent.packages[0].case_number}/requests/"
    client = client_for(kent.broker)
    with clock(NOW + timedelta(minutes=45)):
        fragment = client.get(url).content.decode()
    assert 'hx-trigger="every 30s"' in fragment
    assert "1 hour 15 minutes left" in fragment
    with clock(NOW + timedelta(hours=3)):
        assert "passed 1 hour ago" in client.get(url).content.decode()


def test_package_page_queries_do_not_grow_with_requests_and_events(django_assert_max_num_queries):
    """One package with one request or after three: the same number of queries."""
    from carebroker.sourcing.actions import do_record_phone_answer

    kent = kent_cluster(packages=2)
    quiet, busy = kent.packages
    for provider in kent.providers[:2]:
        do_record_phone_answer(kent.broker, busy, provider, {"action": "decline"}, NOW)
    client = client_for(kent.broker)
    _page(client, quiet)
    with QueryCounter() as one:
        _page(client, quiet)
    assert SourcingRequest.objects.filter(package=busy).count() == 3
    with django_assert_max_num_queries(num=one.count):
        _page(client, busy)


def _answer_url(package, provider) -> str:
    seq = SourcingRequest.objects.get(package=package, provider=provider, outcome="open").seq
    return f"/packages/{package.case_number}/requests/{seq}/answer/"


def test_phone_answer_is_recorded_through_the_service_then_redirects_with_a_banner():
    """§5.2 first accept wins: an acceptance taken by phone awards the package; the page
    redirects (PRG) and says so; the timeline names who recorded it."""
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    client = client_for(kent.broker)
    with clock(LATER):
        response = client.post(_answer_url(package, first), {"answer-action": "accept"})
    assert response.status_code == 302
    assert response["Location"] == f"/packages/{package.case_number}/"
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == (PackageStatus.AWARDED, first)
    audit = TimelineEvent.objects.get(package=package, type="phone_answer_recorded")
    assert audit.actor == kent.broker.username
    page = main_of(_page(client, package, LATER))
    assert "answer by phone is recorded" in page
    assert "govuk-notification-banner--success" in page


def test_each_open_request_has_a_record_answer_button_with_its_provider(db):
    """Issue 10 item 7: "Record answer" on each open request, never a list of providers;
    the answer page names the provider, shows its phone number and offers only what a
    cascade's offer round takes (no "Interested (batch: send the ISP)" in Kent)."""
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    Contact.objects.create(provider=first, name="Ann Example", phone="01632 960123")
    client = client_for(kent.broker)
    page = main_of(_page(client, package, LATER))
    url = _answer_url(package, first)
    assert page.count("data-record-answer=") == 1
    assert f'href="{url}"' in page
    assert 'id="phone-answer-form"' not in page  # no form with every provider in a list
    with clock(LATER):
        answer_page = main_of(client.get(url))
    assert first.name in answer_page
    assert "01632 960123" in answer_page
    offered = set(re.findall(r'name="answer-action" type="radio" value="(\w+)"', answer_page))
    assert offered == {"accept", "offer", "decline", "considering", "query"}
    assert "ISP" not in answer_page


def test_a_request_already_answered_takes_no_second_answer(db):
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    url = _answer_url(package, first)
    client = client_for(kent.broker)
    with clock(LATER):
        reason = {"answer-action": "decline", "answer-reason": "no_capacity"}
        assert client.post(url, reason).status_code == 302
        again = client.post(url, {"answer-action": "accept"})
        page = main_of(client.get(url))
    assert again.status_code == 400
    assert "has already answered" in again.content.decode()
    assert 'id="request-answer-form"' not in page
    request = SourcingRequest.objects.get(package=package, provider=first, stage="cluster")
    assert (request.outcome, request.reason) == ("decline", "no_capacity")
    assert "No carers free for these hours" in main_of(_page(client, package, LATER))


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"answer-action": "offer"}, "id_answer-rate", "Enter the hourly rate"),
        ({"answer-action": "decline"}, "id_answer-reason", "Choose why the provider declines"),
        ({"answer-action": "considering"}, "id_answer-until", "Enter when the provider"),
        (
            {"answer-action": "considering", "answer-until": "23 11 2026 09:00"},
            "id_answer-until",
            "must be in the future",
        ),
        ({"answer-action": "offer", "answer-rate": "lots"}, "id_answer-rate", "Enter a number"),
        ({"answer-action": "interest"}, "id_answer-action", "Select a valid choice"),
    ],
)
def test_phone_answer_with_bad_input_names_the_field_and_changes_nothing(posted, field, message):
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    events = TimelineEvent.objects.filter(package=package).count()
    with clock(LATER):
        response = client_for(kent.broker).post(_answer_url(package, first), posted)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(page, field)
    assert f'href="#{field}' in page  # the error summary links to the field
    package.refresh_from_db()
    assert package.status == PackageStatus.SOURCING
    assert TimelineEvent.objects.filter(package=package).count() == events


def test_award_by_hand_twice_the_second_is_refused_with_a_clear_message():
    """The second award (another broker a moment later) is refused: already awarded, to
    whom; the first award stands."""
    kent = kent_cluster()
    package = kent.packages[0]
    second, third = kent.providers[1], kent.providers[2]
    url = f"/packages/{package.case_number}/award/"
    with clock(LATER):
        first = client_for(kent.broker).post(
            url, {"award-provider": third.pk, "award-reason": "carers known to the family"}
        )
        again = client_for(kent.manager).post(
            url, {"award-provider": second.pk, "award-reason": "a better fit"}
        )
    assert first.status_code == 302
    assert again.status_code == 400
    page = again.content.decode()
    assert f"Package {package.case_number} is already awarded (to {third.name}" in page
    assert "govuk-error-summary" in page and "Traceback" not in page
    package.refresh_from_db()
    assert package.awarded_provider == third
    assert TimelineEvent.objects.filter(package=package, type="awarded_by_hand").count() == 1


def test_award_by_hand_without_a_reason_names_the_reason_field():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.broker).post(
            f"/packages/{package.case_number}/award/", {"award-provider": kent.providers[1].pk}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter why the award overrides the rule" in field_error(page, "id_award-reason")
    package.refresh_from_db()
    assert package.status == PackageStatus.SOURCING


def test_hold_then_release():
    """A hold (status held, not a gate's on_hold) stops the clocks, with its reason and who
    held it on the timeline; release starts them again."""
    kent = kent_cluster()
    package = kent.packages[0]
    client = client_for(kent.broker)
    with clock(LATER):
        held = client.post(f"/packages/{package.case_number}/hold/", {"hold-reason": "in hospital"})
    package.refresh_from_db()
    assert held.status_code == 302
    assert (package.status, package.held_reason, package.next_due) == (
        "held",
        "in hospital",
        None,
    )  # noqa: E501
    held_event = TimelineEvent.objects.get(package=package, type="held")
    assert (held_event.actor, held_event.details["reason"]) == (kent.broker.username, "in hospital")
    with clock(LATER):
        page = client.get(f"/packages/{package.case_number}/").content.decode()
    assert 'data-status="held">Held<' in page
    with clock(LATER):
        released = client.post(f"/packages/{package.case_number}/release/")
    package.refresh_from_db()
    assert released.status_code == 302
    assert package.status == PackageStatus.SOURCING and package.next_due is not None


def test_hold_without_a_reason_is_refused_by_field():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.broker).post(f"/packages/{package.case_number}/hold/", {})
    assert response.status_code == 400
    assert "Enter the reason" in field_error(response.content.decode(), "id_hold-reason")


def test_cancel_asks_to_confirm_then_cancels():
    """GET shows the warning and a confirm button; POST cancels and withdraws the request."""
    kent = kent_cluster()
    package = kent.packages[0]
    client = client_for(kent.broker)
    url = f"/packages/{package.case_number}/cancel/"
    confirm = main_of(client.get(url))
    assert "Are you sure you want to cancel" in confirm
    package.refresh_from_db()
    assert package.status == PackageStatus.SOURCING
    with clock(LATER):
        done = client.post(url, {"cancel-reason": "moved to another county"})
    assert done.status_code == 302
    package.refresh_from_db()
    assert package.status == PackageStatus.CANCELLED
    assert SourcingRequest.objects.get(package=package, seq=0).outcome == "withdrawn"


def test_changes_need_post():
    """A GET to an action URL changes nothing (405)."""
    kent = kent_cluster()
    package = kent.packages[0]
    client = client_for(kent.broker)
    for action in ("award", "hold", "release"):
        assert client.get(f"/packages/{package.case_number}/{action}/").status_code == 405


def test_documents_are_listed_and_downloaded_only_from_their_own_package():
    kent = kent_cluster(packages=2)
    mine, other = kent.packages
    document = PlacementDocument.objects.create(
        council=kent.council,
        package=mine,
        provider=kent.providers[0],
        kind=DocumentKind.CONFIRMATION_FORM,
        filename="2026 11 23 Provider Confirmation Form.docx",
        content_type="application/octet-stream",
        content=b"made-up document",
        created_at=NOW,
    )
    client = client_for(kent.broker)
    page = main_of(_page(client, mine))
    url = f"/packages/{mine.case_number}/documents/{document.pk}/"
    assert url in page and document.filename in page
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"made-up document"
    assert document.filename in download["Content-Disposition"]
    wrong = f"/packages/{other.case_number}/documents/{document.pk}/"
    assert client.get(wrong).status_code == 404


def test_releasing_a_package_not_on_hold_is_a_form_error_not_a_500():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.broker).post(f"/packages/{package.case_number}/release/")
    assert response.status_code == 400
    assert f"Package {package.case_number} is not held." in response.content.decode()


def test_a_change_without_the_csrf_token_is_refused():
    """Every form carries Django's CSRF token; a POST without it is refused (403)."""
    from django.test import Client

    kent = kent_cluster()
    package = kent.packages[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(kent.broker)
    response = client.post(f"/packages/{package.case_number}/hold/", {"hold-reason": "x"})
    assert response.status_code == 403
    package.refresh_from_db()
    assert package.held_reason == ""
    assert (
        'name="csrfmiddlewaretoken"'
        in client.get(f"/packages/{package.case_number}/").content.decode()
    )  # noqa: E501


def test_an_answer_for_a_package_not_started_is_a_form_error_not_a_traceback():
    """A package whose referral was never checked has no engine state: the service's
    SourcingError is shown on the form, and nothing changes."""
    from tests.factories import make_package, make_provider

    kent = kent_cluster()
    unstarted = make_package(kent.council, area=kent.packages[0].area)
    provider = make_provider(kent.council)
    with clock(LATER):
        response = client_for(kent.broker).post(
            f"/packages/{unstarted.case_number}/award/",
            {"award-provider": provider.pk, "award-reason": "the only one free"},
        )
    page = response.content.decode()
    assert response.status_code == 400
    assert "sourcing has not started" in page and "Traceback" not in page
    unstarted.refresh_from_db()
    assert unstarted.status == PackageStatus.SOURCING and unstarted.awarded_provider is None


def test_the_countdown_stops_refreshing_once_no_deadline_runs():
    kent = kent_cluster()
    package = kent.packages[0]
    client = client_for(kent.broker)
    url = f"/packages/{package.case_number}/requests/"
    assert "hx-trigger" in client.get(url).content.decode()
    with clock(LATER):
        client.post(f"/packages/{package.case_number}/cancel/", {"cancel-reason": "moved away"})
    assert "hx-trigger" not in client.get(url).content.decode()


def test_a_manager_approaches_the_next_provider_while_one_considers_a_broker_may_not():
    """docs/policies.md §5.2: while C1 considers, the area support manager may approach C2;
    the button is the manager's, and a broker's POST is refused (403), nothing moves."""
    from carebroker.engine.inputs import Answer
    from carebroker.sourcing.runner import record_answer

    kent = kent_cluster()
    package, first, second = kent.packages[0], kent.providers[0], kent.providers[1]
    considering = Answer(
        NOW + timedelta(minutes=10), str(first.pk), "considering", until=NOW + timedelta(days=2)
    )
    assert record_answer(package, considering).counted
    url = f"/packages/{package.case_number}/next-provider/"
    with clock(LATER):
        assert (
            'id="next-provider"'
            in client_for(kent.manager).get(f"/packages/{package.case_number}/").content.decode()
        )
        assert (
            'id="next-provider"'
            not in client_for(kent.broker).get(f"/packages/{package.case_number}/").content.decode()
        )
        refused = client_for(kent.broker).post(url)
        assert refused.status_code == 403
        assert not SourcingRequest.objects.filter(package=package, provider=second).exists()
        moved = client_for(kent.manager).post(url)
    assert moved.status_code == 302
    asked = SourcingRequest.objects.get(package=package, provider=second)
    assert (asked.sent_at, asked.outcome) == (LATER, "open")
    assert TimelineEvent.objects.get(package=package, type="next_provider").actor == (
        kent.manager.username
    )


def test_next_provider_with_nobody_considering_says_why_and_changes_nothing():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(LATER):
        response = client_for(kent.manager).post(
            f"/packages/{package.case_number}/next-provider/", follow=True
        )
    assert "Nothing changed" in response.content.decode()
    assert "no provider is considering" in response.content.decode()
    assert SourcingRequest.objects.filter(package=package).count() == 1
    assert not TimelineEvent.objects.filter(package=package, type="ignored").exists()


def test_an_awarded_package_shows_no_waiting_list_rag():
    """Issue 11 finding 6: a package awarded on its first day and looked at 15 working days
    later has stopped waiting: no red RAG, its days counted to the award."""
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    client = client_for(kent.broker)
    with clock(LATER):
        client.post(_answer_url(package, first), {"answer-action": "accept"})
    package.refresh_from_db()
    assert package.status == PackageStatus.AWARDED
    page = main_of(_page(client, package, NOW + timedelta(days=21)))
    assert "Working days waited" in page
    # (the after-award steps below may be overdue and red: that is not the waiting list)
    waited = page.split("Working days waited")[1].split("</div>")[0]
    assert "govuk-tag--red" not in waited
    assert "0 (until the award)" in page
