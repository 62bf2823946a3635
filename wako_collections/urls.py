"""Every URL of the application. Each pattern has its row in tests/test_url_role_matrix.py.

Django's admin site is not mounted: staff and terminals are administered through the
利用者管理 pages, which record who did what from which terminal.
"""

from django.urls import include, path

from wako_collections import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/webauthn/", include("accounts.webauthn_urls")),
    path("taxpayers/", include("taxpayers.urls")),
    path("negotiations/", include("negotiations.urls")),
    path("dispositions/", include("dispositions.urls")),
    path("reductions/", include("reductions.urls")),
    path("refunds/", include("refunds.urls")),
    path("documents/", include("documents.urls")),
    path("cases/", include("cases.urls")),
    path("audit/", include("audit.urls")),
    path("jobs/", include("jobs.urls")),
    path("exchange/", include("exchange.urls")),
    path("exports/", include("exports.urls")),
]

handler403 = "wako_collections.views.permission_denied"
handler404 = "wako_collections.views.page_not_found"
handler500 = "wako_collections.views.server_error"
