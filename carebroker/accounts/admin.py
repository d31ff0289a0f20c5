from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from carebroker.accounts.admin_scope import (
    ADD,
    CHANGE,
    VIEW,
    CouncilScopedAdmin,
    RelatedOnly,
)
from carebroker.accounts.models import Role, User

COUNCIL_FIELDS = ("role", "council", "provider")
# Only a superuser grants admin-wide rights; a council's manager must not be able to.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(CouncilScopedAdmin, DjangoUserAdmin):
    # A manager looks after their council's accounts; a broker only looks them up.
    role_actions = {
        Role.BROKER: frozenset({VIEW}),
        Role.MANAGER: frozenset({VIEW, ADD, CHANGE}),
    }
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Council", {"fields": COUNCIL_FIELDS}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Council", {"fields": COUNCIL_FIELDS}),
    )
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "provider",
        "is_staff",
        "council",
    ]
    list_filter = ["role", "is_staff", "is_active", ("council", RelatedOnly)]
    list_select_related = ["provider", "council"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # A superuser's account is out of reach (password, rights) of council staff.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly
