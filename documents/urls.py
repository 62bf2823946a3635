from django.urls import path

from documents import batch_views, views

app_name = "documents"

urlpatterns = [
    path("cases/<str:atena_number>/new/", views.issue, name="issue"),
    path("batches/", batch_views.batch_list, name="batch_list"),
    path("batches/demand/", batch_views.demand_batch, name="demand_batch"),
    path("batches/notice/", batch_views.notice_batch, name="notice_batch"),
    path("batches/extractions/new/", batch_views.extraction_new, name="extraction_new"),
    path("batches/<str:number>/", batch_views.batch_detail, name="batch_detail"),
    path("batches/<str:number>/progress/", batch_views.batch_progress, name="batch_progress"),
    path("batches/<str:number>/cancel/", batch_views.batch_cancel, name="batch_cancel"),
    path("batches/<str:number>/rerun/", batch_views.batch_rerun, name="batch_rerun"),
    path("batches/<str:number>/pdf/", batch_views.batch_pdf, name="batch_pdf"),
    path("from/<str:kind>/<str:key>/", views.issue_from, name="issue_from"),
    path("sets/<str:first>/<str:last>/pdf/", views.set_pdf, name="set_pdf"),
    path("returns/", views.return_import, name="return_import"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/return/", views.return_new, name="return_new"),
    path("<str:number>/resend/", views.resend, name="resend"),
    path("<str:number>/public-notice/", views.public_notice_new, name="public_notice_new"),
    path("<str:number>/public-notice/approve/", views.public_notice_approve, name="public_notice_approve"),
    path("<str:number>/pdf/", views.pdf, name="pdf"),
    path("<str:number>/reissue/", views.reissue, name="reissue"),
]
