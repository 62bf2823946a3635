from django.urls import path

from audit import access_views, report_views, views

app_name = "audit"

urlpatterns = [
    path("security-events/", views.security_events, name="security_events"),
    path("history/", views.history_search, name="history_search"),
    path("history/<str:kind>/<int:pk>/", views.record_history, name="record_history"),
    path("access/", access_views.access_log, name="access_log"),
    path("access/findings/", access_views.access_findings, name="access_findings"),
    path("access/incident/", access_views.incident, name="incident"),
    path("self-inspection/", report_views.self_inspection, name="self_inspection"),
    path("disclosure/", report_views.disclosure, name="disclosure"),
    path("dashboard/", report_views.dashboard, name="dashboard"),
]
