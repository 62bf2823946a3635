from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("start/", views.start, name="start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/rerun/", views.rerun, name="rerun"),
    path("runs/<int:pk>/files/<str:name>", views.download, name="download"),
]
