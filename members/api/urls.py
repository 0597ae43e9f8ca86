from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api.views import MyRegistrationView, RegistrationViewSet

router = SimpleRouter()
router.register("registrations", RegistrationViewSet, basename="member-registration")
urlpatterns = [path("me/", MyRegistrationView.as_view(), name="member-me"), *router.urls]
