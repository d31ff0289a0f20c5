from django.contrib import admin

from carebroker.accounts.admin_scope import CouncilScopedAdmin, CouncilScopedMixin, RelatedOnly
from carebroker.providers.models import Contact, Provider, ProviderArea


class ProviderAreaInline(CouncilScopedMixin, admin.TabularInline):
    model = ProviderArea
    council_lookup = "provider__council"
    fields = ["area", "rank"]
    extra = 0


class ContactInline(CouncilScopedMixin, admin.TabularInline):
    model = Contact
    council_lookup = "provider__council"
    fields = ["role", "name", "email", "phone"]
    extra = 0


@admin.register(Provider)
class ProviderAdmin(CouncilScopedAdmin):
    list_display = ["name", "kind", "tier", "cqc_rating", "sanctioned", "council"]
    list_filter = ["kind", "tier", "cqc_rating", "sanctioned", ("council", RelatedOnly)]
    search_fields = ["name", "cqc_location_id", "contacts__name", "contacts__email"]
    inlines = [ProviderAreaInline, ContactInline]
