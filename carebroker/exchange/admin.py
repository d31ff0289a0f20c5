from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from carebroker.accounts.admin_scope import VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.accounts.models import Role
from carebroker.exchange.models import EhmSubmission, InboundReply, ReplyStatus


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


@admin.register(InboundReply)
class InboundReplyAdmin(CouncilScopedAdmin):
    """Provider replies read by `carebroker ingest-email`: the broker's queue is the queued
    ones, each with why and the original text. Read only: a broker records the answer
    through the package's own actions (a phone or email answer), then dismisses the reply."""

    role_actions = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}
    list_display = ["received_at", "sender", "provider", "subject", "status", "reason"]
    list_filter = ["status", ("council", RelatedOnly)]
    list_select_related = ["provider"]
    search_fields = ["sender", "subject", "text", "provider__name"]
    date_hierarchy = "received_at"
    actions = ["dismiss"]
    readonly_fields = [field.name for field in InboundReply._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(
        description="Dismiss the selected queued replies (dealt with)", permissions=["view"]
    )
    def dismiss(self, request: HttpRequest, queryset: QuerySet[InboundReply]) -> None:
        done = queryset.filter(status=ReplyStatus.QUEUED).update(status=ReplyStatus.DISMISSED)
        self.message_user(request, f"{done} queued reply(ies) dismissed.", messages.INFO)
