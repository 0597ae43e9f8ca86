from django.urls import path

from emergency import views

app_name = "emergency"
urlpatterns = [
    path("emergency/", views.index, name="index"),
    path("emergency/mine/", views.mine, name="mine"),
    path("emergency/<int:pk>/", views.rollcall_page, name="rollcall"),
    path("emergency/<int:pk>/counts/", views.counts, name="counts"),
    path("emergency/<int:pk>/grids/<str:code>/", views.grid_roll, name="grid"),
    path("emergency/<int:pk>/task/", views.task, name="task"),
    path("emergency/<int:pk>/end/", views.end, name="end"),
    path("emergency/callups/<int:pk>/check-in/", views.check_in, name="check_in"),
]
