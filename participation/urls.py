from django.urls import path

from participation import views

app_name = "participation"
urlpatterns = [
    path("volunteer/", views.market, name="market"),
    path("volunteer/new/", views.new_order, name="new"),
    path("volunteer/<int:pk>/", views.detail, name="detail"),
    path("volunteer/<int:pk>/<slug:action>/", views.act, name="act"),
]
