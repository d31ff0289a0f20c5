"""`carebroker seed-demo`: one made-up council per policy preset, with a login for every role.

Idempotent: a demo council that already exists is left as it is (its packages may have moved on
since); a missing demo login is made with the demo password.

Never on a real database (issue 12 finding 6): refused when CAREBROKER_ENV=production or
when the database holds a council that is not a demo council; and an account that already
exists (an `admin`, a login someone changed) is never changed: not its password, not its
rights.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.demo.caseload import build_caseload
from carebroker.demo.market import build_areas, build_providers
from carebroker.demo.presets import DEMO_COUNCILS, DemoCouncil
from carebroker.providers.models import Provider
from carebroker.sourcing.placements import start_placements

# Printed on every run: a demo, never a real deployment.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the documented demo password
ADMIN_USERNAME = "admin"


class DemoRefused(Exception):
    """Why the demo will not be seeded here (said as one line by the commands)."""


def refuse_unsafe(councils: tuple[DemoCouncil, ...] = DEMO_COUNCILS) -> None:
    """DemoRefused in production or on a database holding councils that are not demo ones."""
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused(
            "CAREBROKER_ENV=production: the demo (with its published password) is never "
            "seeded in production"
        )
    demo_slugs = {spec.slug for spec in DEMO_COUNCILS} | {spec.slug for spec in councils}
    real = sorted(Council.objects.exclude(slug__in=demo_slugs).values_list("slug", flat=True))
    if real:
        raise DemoRefused(
            f"this database holds councils that are not demo councils: {', '.join(real[:5])}"
            "; the demo is seeded only into its own database (set DATABASE_URL)"
        )


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    council: str
    note: str = ""


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)


def seed_demo(now: datetime, councils: tuple[DemoCouncil, ...] = DEMO_COUNCILS) -> SeedReport:
    """Create the demo councils that do not exist yet, and every demo login."""
    refuse_unsafe(councils)
    report = SeedReport()
    # Hashed once: a password hash costs a good part of a second, and there are 16 logins.
    password = make_password(DEMO_PASSWORD)
    for spec in councils:
        with transaction.atomic():
            council, created = _seed_council(spec, password, now)
        (report.created if created else report.kept).append(council.name)
        report.logins += _logins_of(council, spec)
    # Placements whose agreed start has passed have started, as the worker would have done on
    # the day (sourcing/placements.py): the first sweep of a fresh demo starts nothing.
    start_placements(now)
    _ensure_user(ADMIN_USERNAME, password, is_staff=True, is_superuser=True)
    report.logins.append(DemoLogin(ADMIN_USERNAME, "Administrator (admin)", "every council"))
    return report


def _seed_council(spec: DemoCouncil, password: str, now: datetime) -> tuple[Council, bool]:
    council = Council.objects.filter(slug=spec.slug).first()
    if council is not None:
        _ensure_logins(council, spec, password)
        return council, False
    rng = random.Random(spec.slug)  # a fixed seed: the same demo every time
    council = Council.objects.create(name=spec.name, slug=spec.slug, policy_name=spec.policy_name)
    areas = build_areas(council, spec)
    build_providers(council, spec, areas, rng, timezone.localdate(now))
    referrer = _ensure_logins(council, spec, password)
    build_caseload(council, spec, areas, referrer, rng, now)
    return council, True


# Made-up names for the demo logins: notices greet people by name, never by login
# ("Dear kent-referrer", issue 10 item 3).
ROLE_NAMES = {
    Role.BROKER: ("Robin", "Ashby"),
    Role.MANAGER: ("Morgan", "Hale"),
    Role.REFERRER: ("Jordan", "Pike"),
    Role.PROVIDER: ("Casey", "Moss"),
    Role.INTEGRATION: ("Case", "System"),
}


def _ensure_logins(council: Council, spec: DemoCouncil, password: str) -> User:
    """Make sure of a login per role; returns the referrer, who makes some of the referrals."""
    users = {}
    for role in Role:
        users[role] = _ensure_user(
            f"{spec.prefix}-{role.value}",
            password,
            role=role,
            council=council,
            # Notices to managers and referrers need an address; example.org never delivers.
            email=f"{spec.prefix}-{role.value}@demo.example.org",
            first_name=ROLE_NAMES.get(role, ("", ""))[0],
            last_name=ROLE_NAMES.get(role, ("", ""))[1],
            provider=_demo_provider(council) if role == Role.PROVIDER else None,
            # Brokers and managers use the admin; provider users and integrations never.
            is_staff=role in (Role.BROKER, Role.MANAGER),
        )
    return users[Role.REFERRER]


def _ensure_user(username: str, password: str, **fields: object) -> User:
    # get_or_create, never update: an existing account keeps its password and rights.
    user, _ = User.objects.get_or_create(
        username=username, defaults={"password": password, "is_active": True, **fields}
    )
    return user


def _demo_provider(council: Council) -> Provider:
    """The provider user's organisation: the first by name of those with the most areas."""
    provider = (
        Provider.objects.filter(council=council)
        .annotate(served=Count("area_ranks"))
        .order_by("-served", "name")
        .first()
    )
    if provider is None:
        raise ValueError(f"council {council.slug}: has no providers for the demo provider user")
    return provider


def _logins_of(council: Council, spec: DemoCouncil) -> list[DemoLogin]:
    logins = []
    for role in Role:
        user = User.objects.select_related("provider").get(username=f"{spec.prefix}-{role.value}")
        note = user.provider.name if user.provider else ""
        logins.append(DemoLogin(user.username, role.label, council.name, note))
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    """The table printed by `seed-demo` and `demo`."""
    rows = [("username", "role", "council", "provider")] + [
        (login.username, login.role, login.council, login.note) for login in logins
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"\nPassword for every demo login: {DEMO_PASSWORD}")
    return "\n".join(lines)
