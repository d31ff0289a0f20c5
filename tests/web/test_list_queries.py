"""Lists never load the engine's snapshot (issue 10: no page over 1 s at the demo's size).

A package's `engine_state` is its whole engine state, 15 kB on average in the demo and up to
70 kB; no list shows it, and parsing the 50 a page lists was half the time of the package
list, the waiting list and the referrer's referrals (bench/pages.py). Each list page here,
signed in as the demo role that reads it, must run no query that selects that column."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebroker.demo.seed import ADMIN_USERNAME

pytestmark = pytest.mark.django_db

SNAPSHOT = '"sourcing_package"."engine_state"'
LISTS = [
    ("essex-manager", "/packages/"),
    ("essex-manager", "/waiting/"),
    ("essex-manager", "/reports/dashboard/"),
    ("kent-referrer", "/referrals/mine/"),
    ("kent-broker", "/referrals/"),
    (ADMIN_USERNAME, "/admin/sourcing/package/"),
]


@pytest.mark.parametrize(("login", "path"), LISTS)
def test_a_list_page_never_loads_the_engines_snapshot(demo, sign_in, client, login, path):
    sign_in(login)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    rows = [q["sql"] for q in queries.captured_queries if "sourcing_package" in q["sql"]]
    assert rows, f"{path} read no package: the test would pass vacuously"
    loading = [sql[:200] for sql in rows if SNAPSHOT in sql]
    assert loading == [], f"{path} loads the snapshot: {loading}"
