from django.urls import path

from carebroker.reports import report_views, simulator_views, views

app_name = "reports"

urlpatterns = [
    path("", report_views.report_index, name="index"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/download/", views.dashboard_download, name="dashboard_download"),
    path("wash-up/", report_views.wash_up, name="wash_up"),
    path("management/", report_views.management, name="management"),
    path("variations/", report_views.variations, name="variations"),
    path("ehm-kpi/", report_views.ehm, name="ehm_kpi"),
    path("tracker/", report_views.tracker, name="tracker"),
    path("tracker/download/", report_views.tracker_download, name="tracker_download"),
    path("simulator/", simulator_views.simulation_list, name="simulations"),
    path("simulator/new/", simulator_views.simulation_new, name="simulation_new"),
    path("simulator/<int:pk>/", simulator_views.simulation_page, name="simulation"),
    path(
        "simulator/<int:pk>/progress/",
        simulator_views.simulation_progress,
        name="simulation_progress",
    ),
    path(
        "simulator/<int:pk>/download/",
        simulator_views.simulation_download,
        name="simulation_download",
    ),
]
