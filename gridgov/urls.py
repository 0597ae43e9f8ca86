from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import LoginView
from alerts.api.sos import SosPressView
from cases.api.channels import ChannelList
from gridgov.api import LogoutAllView, LogoutView, TokenView
from idempotency.views import service_worker


class FaviconView(RedirectView):
    """Browsers ask /favicon.ico whatever the page links; answer with the site icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


api_v1 = [
    path("auth/token", TokenView.as_view(), name="token"),
    path("auth/logout", LogoutView.as_view(), name="logout"),
    path("auth/logout-all", LogoutAllView.as_view(), name="logout_all"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("org/", include("org.api.urls")),
    path("residents/", include("residents.api.urls")),
    path("cases/", include("cases.api.urls")),
    path("credit/", include("credit.api.urls")),
    path("volunteer/", include("participation.api.urls")),
    path("channels/", ChannelList.as_view(), name="channels"),
    path("stats/", include("analytics.api.urls")),
    path("patrol/", include("patrol.api.urls")),
    path("alerts/", include("alerts.api.urls")),
    path("sos/", SosPressView.as_view(), name="sos"),
    path("emergency/", include("emergency.api.urls")),
    path("members/", include("members.api.urls")),
    path("", include("catalog.api.urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),  # before admin/: it takes over admin/login/
    path("admin/", admin.site.urls),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("sw.js", service_worker, name="service_worker"),  # at the root: its scope is /
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("org.urls")),
    path("", include("residents.urls")),
    path("", include("cases.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("exchange.urls")),
    path("", include("analytics.urls")),
    path("", include("participation.urls")),
    path("", include("credit.urls")),
    path("", include("patrol.urls")),
    path("", include("alerts.urls")),
    path("", include("emergency.urls")),
    path("", include("members.urls")),
]

# JSON under /api/, GeoReport's error list under /open311/, Django's pages elsewhere.
handler400 = "gridgov.handlers.bad_request"
handler403 = "gridgov.handlers.permission_denied"
handler404 = "gridgov.handlers.page_not_found"
handler500 = "gridgov.handlers.server_error"
