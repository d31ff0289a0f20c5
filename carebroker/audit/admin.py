"""The admin and the audit trail.

auditlog's own admin lists every council's entries to every staff user: taken away. Managers
read a record's history on its package page (history.py). `AccessLoggedAdmin` records each
opening of a full record in the admin (the person page left no trace, issue 12 finding 9).
"""

from typing import Any

from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from carebroker.audit.record import viewed

if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


class AccessLoggedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", None) or {}
        record = shown.get("original")
        if request.method == "GET" and response.status_code == 200 and record is not None:
            viewed(request, "the admin", record)
        return response
