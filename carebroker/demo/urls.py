from django.urls import path

from carebroker.demo import views

urlpatterns = [path("clock/", views.clock_page, name="demo_clock")]
