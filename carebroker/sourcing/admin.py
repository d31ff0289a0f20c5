from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from carebroker.accounts.admin_scope import CouncilScopedAdmin, CouncilScopedMixin, RelatedOnly
from carebroker.audit.admin import AccessLoggedAdmin
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent


class ReadOnlyInline(CouncilScopedMixin, admin.TabularInline):  # type: ignore[type-arg]
    """Written by sourcing only (the engine and the audited broker actions): shown, never
    edited here, so the timeline stays append-only (docs/architecture.md §5)."""

    council_lookup = "package__council"
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SourcingRequestInline(ReadOnlyInline):
    model = SourcingRequest
    fields = ["seq", "provider", "stage", "round", "sent_at", "deadline", "outcome",
              "responded_at", "rate", "reason"]  # fmt: skip
    readonly_fields = fields


class TimelineEventInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ["at", "type", "source", "actor", "details"]
    readonly_fields = fields


@admin.register(Package)
class PackageAdmin(AccessLoggedAdmin, CouncilScopedAdmin):
    # 50 rows, as the service's own lists: 100 took over 1 s to render at the demo's size
    # on a loaded machine (bench/pages.py).
    list_per_page = 50
    list_display = [
        "case_number",
        "person",
        "area",
        "hours_per_week",
        "preferred_start",
        "urgent",
        "status",
        "stage",
        "gate",
        "awarded_provider",
        "council",
    ]
    list_filter = [
        "status",
        "urgent",
        "emergency",
        "hospital_discharge",
        "target_supply_area",
        ("area", RelatedOnly),
        ("council", RelatedOnly),
    ]
    list_select_related = ["person", "area", "awarded_provider", "council"]
    search_fields = ["case_number", "person__name", "person__postcode"]
    date_hierarchy = "preferred_start"
    inlines = [SourcingRequestInline, TimelineEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Package]:
        # The engine's snapshot (15 kB a package) is neither listed nor edited here.
        return super().get_queryset(request).defer("engine_state")
