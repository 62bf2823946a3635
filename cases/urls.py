from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("<str:atena_number>/", views.case, name="case"),
    path("<str:atena_number>/memo/", views.memo_edit, name="memo_edit"),
    path("<str:atena_number>/flags/new/", views.flag_create, name="flag_create"),
    path("flags/<int:pk>/remove/", views.flag_remove, name="flag_remove"),
]
