from django.contrib import admin

from carebroker.councils.admin import CouncilScopedAdmin, RelatedOnly
from carebroker.sourcing.models import Package


@admin.register(Package)
class PackageAdmin(CouncilScopedAdmin):
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
