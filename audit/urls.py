from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("security-events/", views.security_events, name="security_events"),
]
