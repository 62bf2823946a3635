from django.urls import path

from refunds import views

app_name = "refunds"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("detect/", views.detect, name="detect"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.overpayment_detail, name="overpayment"),
    path("disposals/<str:number>/approve/", views.approve, name="approve"),
    path("disposals/<str:number>/withdraw/", views.withdraw, name="withdraw"),
]
