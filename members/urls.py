from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("members/", views.register_list, name="list"),
    path("members/register/", views.register, name="register"),
    path("members/me/", views.mine, name="mine"),
]
