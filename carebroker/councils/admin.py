"""Admin for councils and their areas (the council scope is accounts/admin_scope.py)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from carebroker.accounts.admin_scope import CHANGE, VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.accounts.models import Role
from carebroker.councils.models import Area, Council, PostcodeDistrict


@admin.register(Council)
class CouncilAdmin(CouncilScopedAdmin):
    council_lookup = "pk"
    # Councils are made by a superuser; a manager may edit their own council's policy.
    role_actions = {
        Role.BROKER: frozenset({VIEW}),
        Role.MANAGER: frozenset({VIEW, CHANGE}),
    }
    list_display = ["name", "slug", "policy_name"]
    list_filter = ["policy_name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        admin.ModelAdmin.save_model(self, request, obj, form, change)  # no council to set


@admin.register(Area)
class AreaAdmin(CouncilScopedAdmin):
    list_display = ["name", "kind", "locality", "district_list", "council"]
    list_filter = ["kind", ("council", RelatedOnly)]
    search_fields = ["name", "locality", "districts__district"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("districts")

    @admin.display(description="Postcode districts")
    def district_list(self, area: Area) -> str:
        return ", ".join(district.district for district in area.districts.all())


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(CouncilScopedAdmin):
    list_display = ["district", "area", "council"]
    list_filter = [("area", RelatedOnly), ("council", RelatedOnly)]
    list_select_related = ["area", "council"]
    search_fields = ["district", "area__name"]
