"""Each council's providers see only their council's ways of answering: the ticked batch
report is Essex's alone (docs/policies.md §4.2); Kent and Leicestershire send no batch."""

import pytest

from tests.portal.worlds import essex_batch, kent_world

pytestmark = pytest.mark.django_db


def test_only_a_batch_council_offers_to_send_back_a_ticked_batch_report(signed_in, clock):
    kent = kent_world()
    page = signed_in(kent.user_a).get("/portal/").content.decode()
    assert "Send back a ticked batch report" not in page
    assert "Today&#x27;s batch" not in page and "Today's batch" not in page
    documents = signed_in(kent.user_a).get("/portal/documents/").content.decode()
    assert "Batch reports" not in documents
    upload = signed_in(kent.user_a).get("/portal/requests/return/").content.decode()
    assert "does not send batch reports" in upload and 'type="file"' not in upload
    essex = essex_batch(["CO4 3SQ"])
    page = signed_in(essex.user_a).get("/portal/").content.decode()
    assert "Send back a ticked batch report" in page


def test_how_a_request_ended_for_us_reads_in_words():
    from django.template.loader import render_to_string

    class Row:
        outcome = "offer"
        coverage = "full"
        late = False
        reason = ""
        not_awarded = "not_chosen"

    text = render_to_string("portal/includes/outcome.html", {"row": Row()})
    assert "not_chosen" not in text
    assert "a higher-ranked provider&#x27;s offer was chosen" in text
