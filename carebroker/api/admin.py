"""API tokens and webhook endpoints in the admin (docs/api.md): a manager makes a token
(shown once, on the page after saving), sets its scopes and expiry, and revokes it; webhook
endpoints and their deliveries, failures first, with the last error."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from carebroker.accounts.admin_scope import ADD, CHANGE, DELETE, VIEW, CouncilScopedAdmin
from carebroker.accounts.models import Role
from carebroker.api import tokens
from carebroker.api.models import ApiToken, Scope, WebhookDelivery, WebhookEndpoint
from carebroker.api.webhooks import latest_outcome

# Who may let a system in is a manager's call; brokers see the list.
MANAGERS_MAKE = {
    Role.BROKER: frozenset({VIEW}),
    Role.MANAGER: frozenset({VIEW, ADD, CHANGE, DELETE}),
}


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(CouncilScopedAdmin):
    form = ApiTokenForm
    role_actions = MANAGERS_MAKE
    council_lookup = "user__council"
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "revoked_at",
                    "last_used_at"]  # fmt: skip
    readonly_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            field.queryset = field.queryset.filter(role=Role.INTEGRATION)
            field.help_text = "A council integration user (role Integration)."
        return field

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:  # a made token keeps its owner and secret
            return [*self.readonly_fields, "user"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        shown = None
        if not change:
            obj.created_at = timezone.now()
            shown = tokens.issue(obj)
        super().save_model(request, obj, form, change)
        if shown:
            self.message_user(
                request,
                f"The token is {shown} . Copy it now: it is not shown again, and only its "
                "hash is kept.",
                messages.WARNING,
            )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{done} token(s) revoked: they no longer work.")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CouncilScopedAdmin):
    role_actions = MANAGERS_MAKE
    list_display = ["url", "council", "active", "created_at"]
    fields = ["council", "url", "active", "secret", "created_at"]
    readonly_fields = ["secret", "created_at"]

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:  # noqa: E501
        if not change:
            obj.created_at = timezone.now()
            obj.secret = secrets.token_urlsafe(32)
            obj.since_event = latest_outcome(obj.council_id)  # from now on, not the past
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CouncilScopedAdmin):
    """Deliveries, read only; a failed one can be sent again once its cause is fixed."""

    council_lookup = "endpoint__council"
    role_actions = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}
    list_display = ["created_at", "endpoint", "event", "status", "attempts", "sent_at",
                    "last_error"]  # fmt: skip
    list_filter = ["status"]
    ordering = ["status", "-created_at"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send the selected failed deliveries again", permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = queryset.filter(status="failed").update(
            status="pending", attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{done} failed delivery(ies) will be sent again.")
