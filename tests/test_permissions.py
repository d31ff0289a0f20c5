"""Every URL of the project, opened by every role (docs/architecture.md §8).

The test walks `get_resolver()`, fills each path parameter with real ids from two
councils' data (A: providers PA and PB, referrers R1 and R2; B: the same again, every name
distinct), and requests each URL as each role: GET, and POST with an empty body (the
admin only by GET: it is Django's own and covered by its council scope). It asserts:

- a visitor is sent to sign in (public pages aside);
- nobody sees another council's data: council B's names, case numbers, people and prices
  never appear in a response to a council A user, and B's objects are never a 200;
- a provider user never opens another provider's request or document, never sees any
  person's full record (name, date of birth, telephone, address, full postcode) and never
  another provider's name or price;
- a referrer sees only their own referrals (R2's person never appears for R1);
- a role not in a URL's rule is refused (403, 404, or the sign-in page).

The JSON API (`/api/v1/`, rules with `api=True`) is opened with each role's API token instead
of a session (no token: 401); only the council's integration user gets past it, and it alone
sees its own council's full records there.

A URL pattern without a rule in RULES fails the test: a new page must say who may see it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carebroker.accounts.models import Role, User
from carebroker.engine.inputs import Answer
from carebroker.exchange.tasks import build_batch_reports
from carebroker.outbox.models import Notice, NoticeAttachment, NoticeKind
from carebroker.placements.models import PlacementDocument
from carebroker.reports.models import Simulation
from carebroker.sourcing import runner
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package, SourcingRequest
from tests.api.helpers import make_token
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 10:00: Kent requests due 12:00
KENT_DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]

STAFF = frozenset({"broker", "manager"})
ANYONE = frozenset({"broker", "manager", "r1", "r2", "pa", "pb", "integration"})
ROLES = ("anonymous", "broker", "manager", "r1", "r2", "pa", "pb", "integration")


# -- the two councils ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    """A made-up person whose every detail is distinctive enough to search a page for."""

    name: str
    dob: date
    phone: str
    address: str
    postcode: str
    relation: str
    worker: str

    def full_record(self) -> list[str]:
        d = self.dob
        return [
            self.name,
            self.name.split()[-1],
            self.phone,
            self.phone.replace(" ", ""),
            self.address,
            self.postcode,
            self.relation,
            self.worker,
            d.isoformat(),
            f"{d:%d/%m/%Y}",
            f"{d.day} {d:%B %Y}",
            f"{d:%b}. {d.day}, {d.year}",  # Django's default DATE_FORMAT
        ]


@dataclass
class Council:
    """One council's people and records, and the strings no other council may see."""

    key: str
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, PersonSpec] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> variant -> id
    names: list[str] = field(default_factory=list)  # everything distinctive of the council
    prices: dict[str, str] = field(default_factory=dict)  # provider key -> its offered rate
    provider_names: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token (every scope)


SPECS = {
    "A": {
        "council": "Thornbury Vale County Council",
        "pa": "Aldergrove Homecare Partnership",
        "pb": "Brackenridge Care Collective",
        "people": {
            # won by PB (PA declined), R1's referral
            "won_b": PersonSpec(
                "Zephyrine Quillfeather",
                date(1938, 2, 17),
                "01632 960 481",
                "77 Marrowbone Crescent",
                "TN23 7QX",
                "Bartholomew Quillfeather",
                "Perpetua Gallowglass",
            ),
            # won by PA, R1's referral
            "won_a": PersonSpec(
                "Leopoldine Thistlewood",
                date(1944, 9, 3),
                "01632 960 492",
                "5 Cowslip Yard",
                "TN24 8DJ",
                "Ignatius Thistlewood",
                "Cornelius Applegarth",
            ),
            # open with PA, R2's referral
            "open": PersonSpec(
                "Hieronymus Blackthorne",
                date(1951, 6, 29),
                "01632 960 503",
                "12 Juniper Wynd",
                "TN25 4BS",
                "Araminta Blackthorne",
                "Philippa Steepleton",
            ),
        },  # fmt: skip
        "cases": {"won_b": "MA-7001", "won_a": "MA-7002", "open": "MA-7003"},
        "prices": {"pa": "27.43", "pb": "31.37"},
    },
    "B": {
        "council": "Northmoor Borough Council",
        "pa": "Quincefield Carers Guild",
        "pb": "Rowanbrook Domiciliary Trust",
        "people": {
            "won_b": PersonSpec(
                "Wilhelmina Featherstonehaugh",
                date(1936, 11, 8),
                "01632 960 614",
                "3 Saltmarsh Row",
                "TN26 3PL",
                "Algernon Featherstonehaugh",
                "Octavia Marchbanks",
            ),
            "won_a": PersonSpec(
                "Barnaby Crumpleholt",
                date(1947, 1, 22),
                "01632 960 625",
                "40 Fennel Close",
                "TN27 9HW",
                "Clementine Crumpleholt",
                "Seraphina Oddington",
            ),
            "open": PersonSpec(
                "Tobias Wainscott",
                date(1955, 4, 14),
                "01632 960 636",
                "9 Bramble Garth",
                "TN29 0RU",
                "Henrietta Wainscott",
                "Evander Mottram",
            ),
        },  # fmt: skip
        "cases": {"won_b": "MB-9001", "won_a": "MB-9002", "open": "MB-9003"},
        "prices": {"pa": "45.67", "pb": "52.89"},
    },
}


def _answer(package: Package, provider_pk: int, at: datetime, **fields: Any) -> None:
    runner.record_answer(package, Answer(at=at, provider=str(provider_pk), **fields), now=at)


def build_council(key: str) -> Council:
    spec = SPECS[key]
    council = make_council("kent-oppd", name=spec["council"])
    area = make_area(council, f"{key} Ashford Cluster")
    pa = make_provider(council, name=spec["pa"], areas={area: 1})
    pb = make_provider(council, name=spec["pb"], areas={area: 2})
    world = Council(key)
    world.users = {
        "broker": make_user(council, Role.BROKER, is_staff=True),
        "manager": make_user(council, Role.MANAGER, is_staff=True),
        "r1": make_user(council, Role.REFERRER),
        "r2": make_user(council, Role.REFERRER),
        "pa": make_user(council, Role.PROVIDER, provider=pa),
        "pb": make_user(council, Role.PROVIDER, provider=pb),
        "integration": make_user(council, Role.INTEGRATION),
    }
    packages = {}
    referrals = {}
    for variant, person in spec["people"].items():
        row = make_person(
            council,
            name=person.name,
            date_of_birth=person.dob,
            phone=person.phone,
            address=person.address,
            postcode=person.postcode,
            town="Ashford",
            relations=[{"relation": "brother", "name": person.relation}],
            allocated_worker=person.worker,
            principal_contact=person.relation,
            principal_contact_phone=person.phone,
            needs=f"{person.name} needs help with washing and dressing.",
        )
        referrer = world.users["r2" if variant == "open" else "r1"]
        referral = make_referral(council, row, referrer=referrer, documents=KENT_DOCUMENTS)
        packages[variant] = make_package(
            council, spec["cases"][variant], referral=referral, area=area
        )
        referrals[variant] = referral
        do_submit_referral(referral, NOW)
    at = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    # won_b: PA declines, PB offers at its price and wins; won_a: PA offers and wins.
    _answer(packages["won_b"], pa.pk, at, action="decline", reason="no_capacity")
    _answer(packages["won_b"], pb.pk, at, action="offer", rate=spec["prices"]["pb"])
    _answer(packages["won_a"], pa.pk, at, action="offer", rate=spec["prices"]["pa"])
    for row in packages.values():
        row.refresh_from_db()
    assert packages["won_b"].awarded_provider == pb
    assert packages["won_a"].awarded_provider == pa

    def request_of(variant: str, provider: Any) -> int:
        return SourcingRequest.objects.get(package=packages[variant], provider=provider).pk

    def document(variant: str, provider: Any, kind: str) -> int:
        return PlacementDocument.objects.create(
            council=council,
            package=packages[variant],
            provider=provider,
            kind=kind,
            filename=f"2026 11 23 {kind} {key}.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.7 made-up document",
            created_at=NOW,
        ).pk

    def batch_report(provider: Any) -> int:
        """A batch notice keyed as exchange/provider_lists.py keys it, with its .xlsx."""
        notice = Notice.objects.create(
            council=council,
            kind=NoticeKind.BATCH_REPORT,
            key=f"batch_report:{provider.pk}:{area.name}:20261123T1600",
            to=[f"contact{provider.pk}@example.org"],
            subject="Batch report",
            body="The batch report is attached.",
            next_attempt_at=NOW,
            created_at=NOW,
        )
        return NoticeAttachment.objects.create(
            notice=notice,
            filename=f"2026 11 23 batch report {key} {provider.pk}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            content=b"PK made-up workbook",
        ).pk

    def report_build() -> str:
        """A finished batch report build of this council (exchange/tasks.py), one workbook."""
        queued = build_batch_reports.enqueue(council_id=council.pk, day="2026-11-23")
        queued.db_result.claim("permission-matrix")
        queued.db_result.set_successful(
            {
                "council_id": council.pk,
                "day": "2026-11-23",
                "workbooks": [
                    {
                        "area": area.name,
                        "filename": f"2026 11 23 {area.name} batch report.xlsx",
                        "cases": [spec["cases"]["open"]],
                        "content": base64.b64encode(b"PK made-up workbook").decode(),
                    }
                ],
            }
        )
        return str(queued.id)

    def simulation() -> int:
        """A finished policy simulation of this council (reports/simulator.py)."""
        return Simulation.objects.create(
            council=council,
            name=f"Trial {key}",
            created_at=NOW,
            weeks=4,
            current_policy="",
            edited_policy="",
            status="finished",
            progress=100,
            result=SIMULATION_RESULT,
        ).pk

    # Variants: "own" is R1's / PA's (or just the council's), "peer" R2's / PB's.
    world.objects = {
        "package": {"own": packages["won_a"].case_number, "peer": packages["open"].case_number},
        "referral": {"own": referrals["won_a"].pk, "peer": referrals["open"].pk},
        "area": {"own": area.pk},
        "portal_request": {"own": request_of("won_a", pa), "peer": request_of("won_b", pb)},
        "portal_document": {
            "own": document("won_a", pa, "ipa"),
            "peer": document("won_b", pb, "ipa"),
        },
        "portal_batch_report": {"own": batch_report(pa), "peer": batch_report(pb)},
        # a placement to hand back (portal/handbacks.py): a package awarded to PA, to PB
        "portal_placement": {"own": packages["won_a"].pk, "peer": packages["won_b"].pk},
        "package_document": {"own": (packages["won_a"].case_number, document("won_a", pa, "isp"))},
        "package_request": {
            "own": (
                packages["won_a"].case_number,
                SourcingRequest.objects.get(package=packages["won_a"], provider=pa).seq,
            )
        },
        # an awarded package as its winner sees it in the portal: won_a is PA's, won_b PB's
        "portal_awarded": {
            "own": packages["won_a"].case_number,
            "peer": packages["won_b"].case_number,
        },
        "package_step": {"own": (packages["won_a"].case_number, "service_delivery_order")},
        "council_slug": {"own": council.slug},
        "report_build": {"own": report_build()},
        "report_download": {"own": (report_build(), 1)},
        "simulation": {"own": simulation()},
    }
    world.tokens = {role: make_token(user) for role, user in world.users.items()}
    world.people = dict(spec["people"])
    world.prices = dict(spec["prices"])
    world.provider_names = {"pa": pa.name, "pb": pb.name}
    world.names = [
        council.name,
        pa.name,
        pb.name,
        *spec["cases"].values(),
        *spec["prices"].values(),
        *(s for person in spec["people"].values() for s in person.full_record()),
    ]
    return world


# -- the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may open a URL, and what fills its path parameters.

    `params` maps each parameter to an object kind of Council.objects; `sees(role,
    variant)` says whether that role may see that variant ("own", "peer") of its own
    council's object (another council's: never). `public`: no sign-in needed.
    """

    roles: frozenset[str]
    params: dict[str, str] = field(default_factory=dict)
    public: bool = False
    owner_only: bool = False  # r1/pa see "own" only, never "peer"
    missing_ok: bool = False  # an allowed role may get 404 (the object is not at that step)
    api: bool = False  # the JSON API: opened with the role's token, not a session

    def sees(self, role: str, variant: str) -> bool:
        if role not in self.roles:
            return False
        if self.owner_only and role in ("r1", "pa") and variant != "own":
            return False
        return not (self.owner_only and role in ("r2", "pb") and variant != "peer")


PACKAGE = {"case_number": "package"}
_SIDE = {
    "packages": 1,
    "statuses": {"awarded": 1},
    "placed": 1,
    "unfilled": 0,
    "hours_median": "2.00",
    "hours_p90": "2.00",
    "requests": 1,
    "requests_per_placement": "1.00",
    "weeks": [["2026-11-16", 1, 1, 0]],
}
SIMULATION_RESULT = {
    "from": "2026-10-26T10:00:00+00:00",
    "to": "2026-11-23T10:00:00+00:00",
    "until": "2026-12-21T10:00:00+00:00",
    "packages": 1,
    "providers": 2,
    "fit": {"requests": 1, "yes": 1.0, "no": 0.0, "silent": 0.0, "interest": None,
            "median_minutes": 60.0, "own": 0},
    "current": _SIDE,
    "edited": _SIDE,
}  # fmt: skip
REFERRAL = {"pk": "referral"}
REFERRERS = frozenset({"r1", "r2"})
MANAGERS = frozenset({"manager"})
PROVIDERS = frozenset({"pa", "pb"})
INTEGRATION = frozenset({"integration"})

RULES: dict[str, Rule] = {
    # carebroker.web (sign in, home per role)
    "home": Rule(ANYONE),
    "login": Rule(ANYONE, public=True),
    "logout": Rule(ANYONE, public=True),
    # Two-factor sign-in: every signed-in user's own (tests/accounts/test_two_factor.py).
    "two_factor_code": Rule(ANYONE),
    "two_factor_recovery": Rule(ANYONE),
    "two_factor": Rule(ANYONE),
    "two_factor_setup": Rule(ANYONE),
    "two_factor_recovery_codes": Rule(ANYONE),
    # broker and manager pages
    "packages": Rule(STAFF),
    "package": Rule(STAFF, PACKAGE),
    "package_requests": Rule(STAFF, PACKAGE),
    "package_document": Rule(STAFF, {"case_number": "package_document", "pk": "package_document"}),
    "request_answer": Rule(STAFF, {"case_number": "package_request", "seq": "package_request"}),
    "package_query_answer": Rule(STAFF, PACKAGE),
    "package_award": Rule(STAFF, PACKAGE),
    "package_hold": Rule(STAFF, PACKAGE),
    "package_release": Rule(STAFF, PACKAGE),
    "package_cancel": Rule(STAFF, PACKAGE),
    "package_provider_view": Rule(STAFF, PACKAGE),
    "package_personal_data_export": Rule(MANAGERS, PACKAGE),
    "package_personal_data_erase": Rule(MANAGERS, PACKAGE),
    "package_next_provider": Rule(MANAGERS, PACKAGE),
    "referrals": Rule(STAFF),
    "referral_new": Rule(REFERRERS),
    "my_referrals": Rule(REFERRERS),
    "referral": Rule(STAFF | REFERRERS, REFERRAL, owner_only=True),
    "referral_check": Rule(STAFF, REFERRAL),
    "referral_return": Rule(STAFF, REFERRAL),
    "referral_resubmit": Rule(STAFF | REFERRERS, REFERRAL, owner_only=True, missing_ok=True),
    "gates": Rule(STAFF),
    "gate": Rule(STAFF, PACKAGE, missing_ok=True),
    "hold_answer": Rule(REFERRERS, PACKAGE, owner_only=True, missing_ok=True),
    "batch": Rule(STAFF),
    "batch_issue": Rule(STAFF, {"area_id": "area"}),
    "batch_reports_build": Rule(STAFF),
    "batch_report_build": Rule(STAFF, {"result_id": "report_build"}),
    "batch_report_download": Rule(
        STAFF, {"result_id": "report_download", "number": "report_download"}
    ),
    "waiting": Rule(MANAGERS),
    "overview": Rule(MANAGERS),
    "demo_clock": Rule(frozenset()),  # the superuser only (none of these roles)
    "changes": Rule(STAFF),
    "changes_count": Rule(STAFF),
    # carebroker.reports: the dashboard and the seeds' reports (read-only for brokers too)
    "reports:index": Rule(STAFF),
    "reports:dashboard": Rule(STAFF),
    "reports:dashboard_download": Rule(STAFF),
    "reports:wash_up": Rule(STAFF, missing_ok=True),  # Kent-style policies only
    "reports:management": Rule(STAFF, missing_ok=True),
    "reports:variations": Rule(STAFF, missing_ok=True),
    "reports:ehm_kpi": Rule(STAFF, missing_ok=True),  # policies with EHM files only
    "reports:tracker": Rule(STAFF),
    "reports:tracker_download": Rule(STAFF),
    # the policy simulator: a manager's only
    "reports:simulations": Rule(MANAGERS),
    "reports:simulation_new": Rule(MANAGERS),
    "reports:simulation": Rule(MANAGERS, {"pk": "simulation"}),
    "reports:simulation_progress": Rule(MANAGERS, {"pk": "simulation"}),
    "reports:simulation_download": Rule(MANAGERS, {"pk": "simulation"}),
    # the provider portal
    "portal:requests": Rule(PROVIDERS),
    "portal:request": Rule(PROVIDERS, {"pk": "portal_request"}, owner_only=True),
    "portal:deadline": Rule(PROVIDERS, {"pk": "portal_request"}, owner_only=True),
    "portal:history": Rule(PROVIDERS),
    "portal:capacity": Rule(PROVIDERS),
    "portal:documents": Rule(PROVIDERS),
    "portal:document": Rule(PROVIDERS, {"pk": "portal_document"}, owner_only=True),
    "portal:batch_report": Rule(PROVIDERS, {"pk": "portal_batch_report"}, owner_only=True),
    "portal:interest_return": Rule(PROVIDERS),
    "portal:document_password": Rule(PROVIDERS, {"pk": "portal_document"}, owner_only=True),
    "portal:healthz": Rule(ANYONE, public=True),
    # handbacks (portal/handback_views.py): several with notice only where the policy has it
    "portal:placements": Rule(PROVIDERS),
    "portal:handback": Rule(
        PROVIDERS, {"pk": "portal_placement"}, owner_only=True, missing_ok=True
    ),
    "portal:handback_notice": Rule(PROVIDERS, missing_ok=True),
    # after the award: Kent's confirmation form, Leicestershire's signed IPA (the winner only;
    # a 404 where the package is not at that step or the policy has no such form)
    "portal:confirmation": Rule(
        PROVIDERS, {"case_number": "portal_awarded"}, owner_only=True, missing_ok=True
    ),
    "portal:signed_ipa": Rule(
        PROVIDERS, {"case_number": "portal_awarded"}, owner_only=True, missing_ok=True
    ),
    "package_confirmation": Rule(STAFF, PACKAGE, missing_ok=True),
    "package_step": Rule(STAFF, {"case_number": "package_step", "step": "package_step"}),
    "package_countersign": Rule(STAFF, PACKAGE, missing_ok=True),
    "package_purchase_order": Rule(STAFF, PACKAGE, missing_ok=True),
    "package_handback_call": Rule(STAFF, PACKAGE),
    "today": Rule(STAFF),
    "today_count": Rule(STAFF),
    # council single sign-on (web/views/sign_on.py): public; 404 where a council has none
    "sso_start": Rule(ANYONE, {"slug": "council_slug"}, public=True, missing_ok=True),
    "sso_callback": Rule(ANYONE, public=True),
    # reviews (web/views/reviews.py)
    "reviews": Rule(STAFF),
    "provider_capacity": Rule(STAFF),
    "package_review": Rule(STAFF, PACKAGE),
    # the JSON API (carebroker/api, docs/api.md): the council's integration user only
    "api:openapi-json": Rule(ANYONE, public=True, api=True),
    "api:openapi-view": Rule(ANYONE, public=True, api=True),
    "api:api-root": Rule(frozenset(), public=True, api=True),  # ninja's: a 404 for everyone
    "api:referrals": Rule(INTEGRATION, api=True),
    "api:referral": Rule(INTEGRATION, {"referral_id": "referral"}, api=True),
    "api:package": Rule(INTEGRATION, PACKAGE, api=True),
    "api:outcomes": Rule(INTEGRATION, api=True),
}
# Django's admin: brokers and managers only (staff), every model scoped to their council.
ADMIN_RULE = Rule(STAFF)
ADMIN_SIGN_IN = Rule(ANYONE, public=True)


# -- walking the URLs --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    found = []
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if pattern.namespace and namespace
                else (pattern.namespace or namespace)
            )
            found += walk(pattern.url_patterns, text, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            params = tuple(a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", text))
            found.append(Route(name or f"(unnamed) {text}", text, params))
    return found


def url_of(route: Route, kwargs: dict[str, str]) -> str:
    if not route.name.startswith("(unnamed)"):
        return reverse(route.name, kwargs=kwargs)
    # The admin's unnamed redirects and catch-all: the route with its values put in.
    text = re.sub(r"\(\?P<url>\.\*\)\$", "no-such-page/", route.route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), text)


def rule_of(route: Route) -> Rule | None:
    if route.name in ("admin:login", "admin:logout"):
        return ADMIN_SIGN_IN
    if route.name.startswith("admin:") or route.route.startswith("admin/"):
        return ADMIN_RULE
    return RULES.get(route.name)


def admin_fills(route: Route, world: Council, other: Council) -> list[tuple[str, dict]]:
    """(variant, kwargs) for an admin URL: another council's object, and our own."""
    if not route.params:
        return [("own", {})]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not route.route.startswith(f"admin/{opts.app_label}/{opts.model_name}/"):
            continue
        if len(route.params) != 1 or route.params[0] not in ("object_id", "id"):
            continue
        lookup = getattr(model_admin, "council_lookup", None)
        found = []
        for variant, council in (("foreign", other), ("own", world)):
            council_pk = council.users["broker"].council_id
            rows = model._default_manager.order_by("pk")
            if opts.label == "councils.Council":
                rows = rows.filter(pk=council_pk)
            elif lookup:
                rows = rows.filter(**{lookup: council_pk})
            row = rows.first()
            if row is not None:
                found.append((variant, {route.params[0]: str(row.pk)}))
        return found
    if route.params == ("url",):  # the admin's catch-all: an unknown admin page
        return [("own", {})]
    if route.name == "admin:app_list":
        return [("own", {"app_label": "sourcing"})]
    if route.name == "admin:view_on_site":
        return []  # a redirect to the object's own page, which is covered itself
    raise AssertionError(f"{route.name}: no way to fill {route.params}")


def fills(route: Route, rule: Rule, world: Council, other: Council) -> list[tuple[str, dict]]:
    """Each variant of the URL's objects: our council's own and peer's, and the other
    council's (as "foreign")."""
    if rule is ADMIN_RULE or rule is ADMIN_SIGN_IN:
        return admin_fills(route, world, other)
    if not route.params:
        return [("own", {})]
    kinds = {rule.params[param] for param in route.params}
    assert len(kinds) == 1, f"{route.name}: one object kind per URL"
    kind = kinds.pop()
    variants = []
    for council, prefix in ((world, ""), (other, "foreign-")):
        for variant, value in council.objects[kind].items():
            if kind in ("package_document", "package_request", "package_step", "report_download"):
                kwargs = dict(zip(route.params, value, strict=True))
            else:
                kwargs = {route.params[0]: value}
            variants.append((f"{prefix}{variant}" if prefix else variant, kwargs))
    return [(("foreign" if v.startswith("foreign") else v), kw) for v, kw in variants]


# -- the test ----------------------------------------------------------------------------


def _forbidden_strings(role: str, world: Council, other: Council) -> list[str]:
    """What `role` of `world` must never see in any response."""
    strings = list(other.names)  # nobody sees another council's data
    if role in ("pa", "pb", "integration", "anonymous"):
        for person in world.people.values():
            strings += person.full_record()
    if role in ("pa", "pb"):
        rival = "pb" if role == "pa" else "pa"
        strings += [world.prices[rival], world.provider_names[rival]]
    if role == "r1":
        strings += world.people["open"].full_record()  # R2's referral
    if role == "r2":
        strings += world.people["won_a"].full_record() + world.people["won_b"].full_record()
    return strings


def _refused(response: Any, role: str) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and "login" in location


def test_every_url_pattern_has_a_rule():
    """A page added without a rule here fails: it must say who may see it."""
    missing = [
        r.name + " " + r.route for r in walk(get_resolver().url_patterns) if rule_of(r) is None
    ]
    assert missing == [], f"URL patterns without a rule in tests/test_permissions.py: {missing}"


ROUTES = walk(get_resolver().url_patterns)
CELLS = [
    pytest.param(key, role, route, id=f"{key}-{role}-{route.name}")
    for key in ("A", "B")
    for role in ROLES
    for route in ROUTES
]


@pytest.fixture(scope="module")
def councils(django_db_setup, django_db_blocker):
    """Both councils, built once for the module's cells and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield {"A": build_council("A"), "B": build_council("B")}
        transaction.set_rollback(True)


@pytest.mark.parametrize(("key", "role", "route"), CELLS)
def test_every_url_with_every_role(councils, key, role, route):
    """One cell of the matrix: `role` of council `key` opens `route` with each variant of its
    objects (own, peer, the other council's). See the module docstring for the rules."""
    world, other = councils[key], councils["B" if key == "A" else "A"]
    rule = rule_of(route)
    assert rule is not None, route.name
    user = world.users.get(role)
    token = world.tokens.get(role) if rule.api else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client(raise_request_exception=False, headers=headers)
    forbidden = _forbidden_strings(role, world, other)
    if rule.api and role == "integration":
        forbidden = list(other.names)  # the council's own full records are its integration's
    problems: list[str] = []
    methods = ("get",) if rule in (ADMIN_RULE, ADMIN_SIGN_IN) else ("get", "post")
    for variant, kwargs in fills(route, rule, world, other):
        url = url_of(route, kwargs)
        for method in methods:
            if user is not None and not rule.api:
                client.force_login(user)  # again: a POST to logout signs out
            response = getattr(client, method)(url)
            where = f"{role} {method.upper()} {url} ({route.name}, {variant})"
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            if response.status_code >= 500:
                problems.append(f"{where}: server error {response.status_code}")
            for secret in forbidden:
                if secret in body:
                    problems.append(f"{where}: shows {secret!r}")
            if role == "anonymous" and not rule.public:
                if not _refused(response, role) or response.status_code == 404:
                    problems.append(f"{where}: not sent to sign in")
                continue
            allowed = variant != "foreign" and rule.sees(role, variant)
            if rule.public or role == "anonymous":
                continue
            if rule is ADMIN_RULE and allowed:
                continue  # staff: what the role may do is the admin's (403 to delete)
            # Another council's object in the admin: back to the admin index, told it is not
            # there (its body was checked above); anyone else: to sign in.
            admin_refused = role in STAFF or "login" in response.get("Location", "")
            if rule is ADMIN_RULE and response.status_code == 302 and admin_refused:
                continue
            if not allowed and not _refused(response, role):
                problems.append(f"{where}: not refused ({response.status_code})")
            if (
                allowed
                and method == "get"
                and response.status_code not in (200, 302, 405)
                and not (rule.missing_ok and response.status_code == 404)
            ):
                problems.append(f"{where}: allowed but got {response.status_code}")
    assert problems == [], "\n".join(problems)
