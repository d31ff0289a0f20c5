from django.urls import path

from carebroker.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.requests_page, name="requests"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("requests/<int:pk>/deadline/", views.deadline_fragment, name="deadline"),
    path("history/", views.history_page, name="history"),
    path("documents/", views.documents_page, name="documents"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("healthz/", views.healthz, name="healthz"),
]
