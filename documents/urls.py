from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<str:atena_number>/new/", views.issue, name="issue"),
    path("from/<str:kind>/<str:key>/", views.issue_from, name="issue_from"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/pdf/", views.pdf, name="pdf"),
    path("<str:number>/reissue/", views.reissue, name="reissue"),
]
