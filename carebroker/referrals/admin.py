from django.contrib import admin

from carebroker.accounts.admin_scope import CouncilScopedAdmin, RelatedOnly
from carebroker.audit.admin import AccessLoggedAdmin
from carebroker.referrals.models import Person, Referral


@admin.register(Person)
class PersonAdmin(AccessLoggedAdmin, CouncilScopedAdmin):
    list_display = ["name", "date_of_birth", "town", "postcode", "allocated_worker", "council"]
    list_filter = [("council", RelatedOnly)]
    search_fields = ["name", "postcode", "allocated_worker"]


@admin.register(Referral)
class ReferralAdmin(AccessLoggedAdmin, CouncilScopedAdmin):
    # 50 rows, as the service's own lists: 100 took over 1 s to render at the demo's size
    # on a loaded machine (bench/pages.py).
    list_per_page = 50
    list_display = ["person", "status", "received_at", "referrer", "accepted_at", "council"]
    list_filter = [
        "status",
        "known_to_team",
        "from_enablement",
        "self_funder",
        "risk",
        ("council", RelatedOnly),
    ]
    list_select_related = ["person", "referrer", "council"]
    search_fields = ["person__name", "referrer__username", "referrer__last_name"]
    date_hierarchy = "received_at"
