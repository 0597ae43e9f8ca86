from django.urls import path  # noqa: F401  (each part adds its endpoints here)

urlpatterns = []
