from django.contrib import admin

from carebroker.accounts.admin_scope import VIEW, CouncilScopedAdmin, RelatedOnly
from carebroker.accounts.models import Role
from carebroker.audit.admin import AccessLoggedAdmin
from carebroker.placements.models import PlacementDocument

# Read only: documents are made by the services (documents/store.py), never typed in here.
READ_ONLY = {Role.BROKER: frozenset({VIEW}), Role.MANAGER: frozenset({VIEW})}


@admin.register(PlacementDocument)
class PlacementDocumentAdmin(AccessLoggedAdmin, CouncilScopedAdmin):
    role_actions = READ_ONLY
    list_display = ["filename", "package", "provider", "kind", "created_at"]
    list_filter = ["kind", ("council", RelatedOnly)]
    search_fields = ["filename", "package__case_number"]
    # The bytes are downloaded from the package's page. An ISP's password is shown to no
    # one here: its provider's user sees it once in the portal; a lost one is replaced by
    # sending the ISP again (a new file, a new password).
    exclude = ["content", "password"]
    readonly_fields = ["password_shown_at", "password_shown_to"]
