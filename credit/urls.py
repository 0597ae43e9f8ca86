from django.urls import path

from credit import views

app_name = "credit"
urlpatterns = [
    path("credit/", views.index, name="index"),
    path("credit/redeem/", views.redeem, name="redeem"),
    path("credit/redemptions/<int:pk>/<slug:action>/", views.settle, name="settle"),
    path("credit/items/new/", views.add_item, name="add_item"),
    path("credit/items/<int:pk>/restock/", views.restock, name="restock"),
    path("credit/award/<int:pk>/", views.award, name="award"),
]
