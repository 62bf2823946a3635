from django.urls import path

from negotiations import views

app_name = "negotiations"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("queues/", views.queues, name="queues"),
    path("assign/", views.assign, name="assign"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/<str:pledge_number>/", views.pledge_detail, name="pledge_detail"),
    path("records/<int:record_number>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:record_number>/cancel/", views.record_cancel, name="record_cancel"),
    path("cases/<str:atena_number>/", views.case, name="case"),
    path("cases/<str:atena_number>/records/", views.record_create, name="record_create"),
    path("cases/<str:atena_number>/pledges/new/", views.pledge_new, name="pledge_new"),
]
