from django.contrib import admin
from django.urls import include, path

from carebroker.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),  # versioned: a v2 would sit beside it (docs/api.md)
    path("portal/", include("carebroker.portal.urls")),
    path("reports/", include("carebroker.reports.urls")),
    path("demo/", include("carebroker.demo.urls")),
    path("", include("carebroker.web.urls")),
]
