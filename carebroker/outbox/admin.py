from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from carebroker.accounts.admin_scope import VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice, NoticeStatus


@admin.register(Notice)
class NoticeAdmin(CouncilScopedAdmin):
    """The outbox, read only: notices are written by the change that caused them, never here.
    A failed notice can be sent again (after fixing its cause, e.g. the SMTP settings)."""

    role_actions = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}
    list_display = ["created_at", "kind", "subject", "status", "attempts", "sent_at", "council"]
    list_filter = ["status", "kind", ("council", RelatedOnly)]
    list_select_related = ["council"]
    search_fields = ["key", "subject", "package__case_number"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send the selected failed notices again", permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        retried = queryset.filter(status=NoticeStatus.FAILED).update(
            status=NoticeStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{retried} failed notice(s) will be sent again.", messages.INFO)
