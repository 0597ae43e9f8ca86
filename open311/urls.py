"""GeoReport v2 at /open311/v2/: every resource in .json and .xml."""

from django.urls import path, re_path

from open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, views.token_lookup, name="token"),
    # Anything else answers a GeoReport 404 (in JSON when the path asks for it), even a
    # path with a newline in it ([\s\S], not ".").
    re_path(r"^(?P<rest>[\s\S]*\.json)$", views.unknown, {"fmt": "json"}),
    re_path(r"^(?P<rest>[\s\S]*)$", views.unknown),
]
