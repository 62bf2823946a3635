from django.urls import path

from taxpayers import views

app_name = "taxpayers"

urlpatterns = [
    path("", views.search, name="search"),
    path("delinquent/", views.delinquent, name="delinquent"),
    path("delinquent/filters/", views.saved_filter_create, name="saved_filter_create"),
    path("delinquent/filters/<int:pk>/", views.saved_filter_load, name="saved_filter_load"),
    path("delinquent/filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("late-charge/", views.late_charge, name="late_charge"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("<str:atena_number>/", views.detail, name="detail"),
    path(
        "<str:atena_number>/individual-number/",
        views.reveal_individual_number,
        name="reveal_individual_number",
    ),
    path("<str:atena_number>/address/", views.reveal_address, name="reveal_address"),
]
