"""The API's rate limit counts in a cache every web process shares (settings.CACHES): the
database's cache table by default, Redis when REDIS_URL is set. Two processes with the
product's settings throttle the same token: the second sees the first one's requests.
(Django's default, a cache in each process's memory, gave each process its own count.)"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

REDIS = "redis://127.0.0.1:6379/0"
# One web process's share of the requests: two checks of the token's throttle at 3 a minute.
PROCESS = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from carebroker.api.access import TokenThrottle
from carebroker.api.models import ApiToken

call_command("createcachetable", verbosity=0)  # what `carebroker migrate` does (no-op on Redis)
settings.API_RATE = "3/m"
allowed = []
for _ in range(2):
    request = RequestFactory().get("/api/v1/outcomes")
    request.auth = ApiToken(pk=int(sys.argv[1]))
    allowed.append(TokenThrottle().allow_request(request))
print(json.dumps(allowed))
"""


def web_process(token_pk: int, env: dict[str, str]) -> list[bool]:
    unset = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL", "CAREBROKER_ENV"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base["DJANGO_SETTINGS_MODULE"] = "carebroker.settings"  # the product's, not the tests'
    result = subprocess.run(
        [sys.executable, "-c", PROCESS, str(token_pk)],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize("shared_by", ["database", "redis"])
def test_two_web_processes_share_one_tokens_rate_limit_count(tmp_path, shared_by):
    env = {
        "CAREBROKER_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'carebroker.sqlite3'}",
    }
    if shared_by == "redis":
        env["REDIS_URL"] = REDIS
    token_pk = random.randrange(10**9, 2 * 10**9)  # a key no other run has counted under
    assert web_process(token_pk, env) == [True, True]
    assert web_process(token_pk, env) == [True, False]  # the fourth request in the minute
