from django.urls import path

from dispositions import inquiry_views, views, writeoff_views

app_name = "dispositions"

urlpatterns = [
    path("", views.disposition_list, name="list"),
    path("inquiries/", inquiry_views.inquiry_list, name="inquiry_list"),
    path("inquiries/batch/", inquiry_views.batch_new, name="batch_new"),
    path("inquiries/targets/", inquiry_views.target_list, name="target_list"),
    path("inquiries/targets/new/", inquiry_views.target_edit, name="target_create"),
    path("inquiries/targets/<int:pk>/edit/", inquiry_views.target_edit, name="target_edit"),
    path("inquiries/<str:number>/", inquiry_views.inquiry_detail, name="inquiry_detail"),
    path("cases/<str:atena_number>/inquiries/new/", inquiry_views.inquiry_new, name="inquiry_new"),
    path("suspensions/", views.suspensions, name="suspensions"),
    path("collections/<str:number>/distribution/new/", views.distribution_new, name="distribution_new"),
    path("distributions/<str:number>/", views.distribution_detail, name="distribution_detail"),
    path("distributions/<str:number>/approve/", views.distribution_approve, name="distribution_approve"),
    path("writeoffs/", writeoff_views.writeoff_list, name="writeoff_list"),
    path(
        "writeoffs/written-off/<int:written_off_id>/cancel/",
        writeoff_views.writeoff_cancel,
        name="writeoff_cancel",
    ),
    path(
        "writeoffs/cancellations/<str:number>/",
        writeoff_views.writeoff_cancellation,
        name="writeoff_cancellation",
    ),
    path(
        "writeoffs/cancellations/<str:number>/approve/",
        writeoff_views.writeoff_cancellation_approve,
        name="writeoff_cancellation_approve",
    ),
    path(
        "writeoffs/cancellations/<str:number>/reject/",
        writeoff_views.writeoff_cancellation_reject,
        name="writeoff_cancellation_reject",
    ),
    path("writeoffs/candidates/", writeoff_views.writeoff_candidates, name="writeoff_candidates"),
    path("writeoffs/<str:number>/", writeoff_views.writeoff_detail, name="writeoff_detail"),
    path("writeoffs/<str:number>/approve/", writeoff_views.writeoff_approve, name="writeoff_approve"),
    path("writeoffs/<str:number>/reject/", writeoff_views.writeoff_reject, name="writeoff_reject"),
    path("writeoffs/<str:number>/withdraw/", writeoff_views.writeoff_withdraw, name="writeoff_withdraw"),
    path("writeoffs/<str:number>/pdf/", writeoff_views.writeoff_pdf, name="writeoff_pdf"),
    path("prescriptions-due/", views.prescriptions_due, name="prescriptions_due"),
    path("cases/<str:atena_number>/new/", views.draft, name="draft"),
    path("cases/<str:atena_number>/prescriptions/", views.prescriptions, name="prescriptions"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/approve/", views.approve, name="approve"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/collections/new/", views.collect, name="collect"),
    path("<str:number>/distribution/new/", views.sale_distribution_new, name="sale_distribution_new"),
    path("<str:number>/cancellation/decide/", views.cancellation_decide, name="cancellation_decide"),
    path("<str:number>/cancellation/withdraw/", views.cancellation_withdraw, name="cancellation_withdraw"),
]
