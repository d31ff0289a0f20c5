from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carebroker.accounts.models import Role
from carebroker.councils.admin import VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.exchange.models import EhmSubmission


@admin.register(EhmSubmission)
class EhmSubmissionAdmin(CouncilScopedAdmin):
    """EHM returns, read only: written by `carebroker import-ehm` from the provider's file."""

    role_actions = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}
    list_display = [
        "provider",
        "period_start",
        "period_end",
        "planned_visits",
        "delivered_visits",
        "late_visits",
        "missed_visits",
        "short_visits",
        "received_at",
    ]
    list_filter = [("council", RelatedOnly)]
    list_select_related = ["provider"]
    search_fields = ["provider__name", "file_name"]
    readonly_fields = [field.name for field in EhmSubmission._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
