"""The project's URLs and `/bench/signed-in/`: the signed-in trivial page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from carebroker.urls import urlpatterns as project


@login_required
def signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"signed in as {request.user.get_username()}", content_type="text/plain")


urlpatterns = [path("bench/signed-in/", signed_in), *project]
