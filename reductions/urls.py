from django.urls import path

from reductions import views

app_name = "reductions"

urlpatterns = [
    path("", views.reduction_list, name="list"),
    path("cases/<str:atena_number>/new/", views.apply, name="apply"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/decide/", views.decide, name="decide"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
]
