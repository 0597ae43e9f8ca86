from django.urls import path  # noqa: F401  (each part adds its pages here)

app_name = "members"
urlpatterns = []
