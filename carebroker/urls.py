from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("portal/", include("carebroker.portal.urls")),
    path("reports/", include("carebroker.reports.urls")),
    path("demo/", include("carebroker.demo.urls")),
    path("", include("carebroker.web.urls")),
]
