from django.contrib import admin

from carebroker.accounts.admin_scope import VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.accounts.models import Role
from carebroker.audit.admin import AccessLoggedAdmin
from carebroker.placements.models import PlacementDocument, ProviderDocumentPassword

# Read only: documents are made by the services (documents/store.py), never typed in here.
READ_ONLY = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}


@admin.register(PlacementDocument)
class PlacementDocumentAdmin(AccessLoggedAdmin, CouncilScopedAdmin):
    role_actions = READ_ONLY
    list_display = ["filename", "package", "provider", "kind", "created_at"]
    list_filter = ["kind", ("council", RelatedOnly)]
    search_fields = ["filename", "package__case_number"]
    exclude = ["content"]  # bytes: downloaded from the package's page, not shown here


@admin.register(ProviderDocumentPassword)
class ProviderDocumentPasswordAdmin(CouncilScopedAdmin):
    """Staff read a provider's ISP password here, to tell the provider once, by phone."""

    council_lookup = "provider__council"
    role_actions = READ_ONLY
    list_display = ["provider", "created_at"]
    fields = ["provider", "password", "created_at"]
