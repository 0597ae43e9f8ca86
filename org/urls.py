from django.urls import path

from org import views

app_name = "org"
urlpatterns = [
    path("", views.home, name="home"),
    path("org/<str:code>/", views.node_detail, name="node"),
]
