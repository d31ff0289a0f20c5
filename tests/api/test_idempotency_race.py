"""Two POSTs with the same Idempotency-Key at the same instant, each thread with its own
PostgreSQL connection: one referral, and both callers get its answer (docs/api.md §4)."""

from __future__ import annotations

import json
import threading
from unittest import mock

import pytest
from django.db import connection

from carebroker.accounts.models import Role
from carebroker.api import api as api_module
from carebroker.referrals.models import Referral
from carebroker.sourcing.models import Package
from tests.api.helpers import api_client, kent_world, make_token, referral_body
from tests.factories import make_user

# Threads would share SQLite's in-memory test database, whose single writer serialises them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_two_posts_racing_with_one_key_make_one_referral_and_both_get_it():
    world = kent_world()
    user = make_user(world["council"], Role.INTEGRATION)
    token = make_token(user)
    both_checked = threading.Barrier(2, timeout=30)
    original = api_module.form_data

    def form_data_then_wait(body):  # both have looked the key up and found nothing
        result = original(body)
        both_checked.wait()
        return result

    answers: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            response = api_client(token).post(
                "/api/v1/referrals",
                json.dumps(referral_body()),
                content_type="application/json",
                headers={"Idempotency-Key": "same-step-42"},
            )
            answers.append((response.status_code, response.json()))
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(api_module, "form_data", form_data_then_wait):
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert [code for code, _ in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    assert Referral.objects.filter(referrer=user).count() == 1
    assert Package.objects.filter(council=world["council"], case_number="M70001").count() == 1
