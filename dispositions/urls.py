from django.urls import path

from dispositions import views

app_name = "dispositions"

urlpatterns = [
    path("", views.disposition_list, name="list"),
    path("suspensions/", views.suspensions, name="suspensions"),
    path("cases/<str:atena_number>/new/", views.draft, name="draft"),
    path("cases/<str:atena_number>/prescriptions/", views.prescriptions, name="prescriptions"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/approve/", views.approve, name="approve"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
]
