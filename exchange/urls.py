from django.urls import path

from exchange import views
from exchange.api import views as api
from exchange.api.divisions import DivisionImportView

app_name = "exchange"
urlpatterns = [
    path("exchange/", views.index, name="index"),
    path("exchange/hotline/import/", views.hotline_upload, name="hotline_upload"),
    path("exchange/hotline/export/", views.hotline_export, name="hotline_export"),
    path("exchange/hotline/<slug:slug>/mapping/", views.hotline_mapping, name="hotline_mapping"),
    path("exchange/registers/<slug:kind>/import/", views.register_upload, name="register_upload"),
    path("exchange/registers/<slug:kind>/export/", views.register_export, name="register_export"),
    path("exchange/jobs/<int:pk>/", views.job_detail, name="job"),
    path("exchange/jobs/<int:pk>/start/", views.job_start, name="job_start"),
    path("exchange/jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("exchange/jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("exchange/jobs/<int:pk>/errors/", views.job_errors, name="job_errors"),
    # The push API lives under /api/v1/ with the rest of the API.
    path("api/v1/hotline/orders/", api.HotlineOrdersView.as_view(), name="api_hotline_orders"),
    path("api/v1/divisions/import/", DivisionImportView.as_view(), name="api_divisions_import"),
    path(
        "api/v1/hotline/orders/<str:ticket_no>/",
        api.HotlineOrderStatusView.as_view(),
        name="api_hotline_order",
    ),
]
