"""The council's policy and working calendar, parsed once per process per policy text."""

from __future__ import annotations

from functools import lru_cache

from carebroker.councils.models import Council
from carebroker.engine.market import Market
from carebroker.engine.policy import Policy
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.workingtime import WorkingCalendar


@lru_cache(maxsize=32)
def _load(name: str, toml: str) -> tuple[Policy, WorkingCalendar]:
    policy = load_policy(toml or name)
    return policy, Market.of(policy, ()).calendar


def policy_and_calendar(council: Council) -> tuple[Policy, WorkingCalendar]:
    return _load(council.policy_name, council.policy_toml)
