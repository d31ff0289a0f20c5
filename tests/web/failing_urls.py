"""The project's URLs plus views that fail, to see the error pages a person would see."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path


def boom(request):
    raise RuntimeError("a made-up failure for the 500 page test")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("", include("carebroker.urls")),
]
