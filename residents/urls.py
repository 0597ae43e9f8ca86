from django.urls import path

from residents import views

app_name = "residents"
urlpatterns = [
    path("household/<str:code>/", views.household_detail, name="household"),
    path("person/<int:pk>/", views.person_detail, name="person"),
    path("person/<int:pk>/reveal/", views.person_reveal, name="reveal"),
]
