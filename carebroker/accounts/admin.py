from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from carebroker.accounts.admin_scope import (
    ADD,
    CHANGE,
    VIEW,
    CouncilScopedAdmin,
    RelatedOnly,
)
from carebroker.accounts.models import AppDevice, Role, User
from carebroker.accounts.two_factor import reset_devices

# django-otp's own device admins show secrets and ignore the council scope: a user's
# two-factor sign-in is reset from the user list instead (the action below).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

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
        "two_factor",
    ]
    actions = ["reset_two_factor"]
    list_filter = ["role", "is_staff", "is_active", ("council", RelatedOnly)]
    list_select_related = ["provider", "council"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                has_two_factor=Exists(AppDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            )
        )
        if not request.user.is_superuser:
            # A superuser's account is out of reach (password, rights) of council staff.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly

    @admin.display(description="Two-factor sign-in", boolean=True)
    def two_factor(self, obj: Any) -> bool:
        return bool(getattr(obj, "has_two_factor", False))

    @admin.action(
        description="Reset two-factor sign-in (they set it up again)", permissions=["change"]
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The queryset is the council's own users only (get_queryset): a lost phone is reset
        # by the council's manager, never by another council's.
        users = list(queryset)
        for user in users:
            reset_devices(user)
        self.message_user(
            request,
            f"Two-factor sign-in reset for {len(users)} "
            f"{'person' if len(users) == 1 else 'people'}: they sign in with their password "
            "and set it up again.",
            messages.SUCCESS,
        )
