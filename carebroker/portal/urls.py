from django.urls import path

from carebroker.portal import confirmation, handback_views, signed_ipa, views

app_name = "portal"

urlpatterns = [
    path("", views.requests_page, name="requests"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("requests/<int:pk>/deadline/", views.deadline_fragment, name="deadline"),
    path("requests/return/", views.interest_return, name="interest_return"),
    path("history/", views.history_page, name="history"),
    path("capacity/", views.capacity_page, name="capacity"),
    path("documents/", views.documents_page, name="documents"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/password/", views.document_password, name="document_password"),
    path("awarded/<str:case_number>/signed-ipa/", signed_ipa.signed_ipa, name="signed_ipa"),
    path(
        "awarded/<str:case_number>/confirmation/",
        confirmation.confirmation,
        name="confirmation",
    ),
    path("batch-reports/<int:pk>/", views.batch_report_download, name="batch_report"),
    path("placements/", handback_views.placements_page, name="placements"),
    path("placements/<int:pk>/hand-back/", handback_views.handback_page, name="handback"),
    path(
        "placements/hand-back-several/",
        handback_views.handback_notice_page,
        name="handback_notice",
    ),
    path("healthz/", views.healthz, name="healthz"),
]
