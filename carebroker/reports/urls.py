from django.urls import path

from carebroker.reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/download/", views.dashboard_download, name="dashboard_download"),
    path("", views.report_index, name="index"),
]
