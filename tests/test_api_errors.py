"""API hygiene as a kind, over real HTTP with DEBUG off: every list is capped, every
integer parameter out of range is a 400 with a code (never a 500), and an exception that
nothing handled answers JSON under /api/ and GeoReport's error list under /open311/, with
the request id it was logged under. The lists and ids are read from the OpenAPI schema, so
a new endpoint is covered without editing this file."""

import json
import logging
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.db import DataError

from gridgov.pagination import MAX_LIMIT, LimitOffsetPagination
from tests.conftest import Http

HUGE = "99999999999999999999"  # 10**20: beyond a 64-bit column (SQLite: OverflowError)


@pytest.fixture
def admin(live_city):
    return Http(live_city).login("demo-admin")


def raw(base_url, path, method="GET", token=None):
    """(status, headers, body bytes) of one request."""
    request = urllib.request.Request(base_url + path, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def operations(client, method="get"):
    status, schema = client.get("/api/v1/schema/?format=json")
    assert status == 200
    return {
        path: operation[method]
        for path, operation in schema["paths"].items()
        if method in operation
    }


def lists(client) -> list[str]:
    return [
        path
        for path, operation in operations(client).items()
        if any(p["name"] == "limit" for p in operation.get("parameters", []))
    ]


def test_every_list_takes_limit_and_offset_and_documents_the_maximum(admin):
    found = lists(admin)
    assert {"/api/v1/cases/", "/api/v1/org/households/", "/api/v1/credit/items/"} <= set(found)
    for path, operation in operations(admin).items():
        limit = next((p for p in operation.get("parameters", []) if p["name"] == "limit"), None)
        if limit is not None:
            assert limit["schema"]["maximum"] == MAX_LIMIT == 500, path
            assert "500" in limit["description"], path


def test_a_limit_above_the_maximum_is_served_as_the_maximum(admin, monkeypatch):
    status, page = admin.get("/api/v1/org/households/?limit=100000")
    assert status == 200 and len(page["results"]) == page["count"] <= MAX_LIMIT
    # The tiny city has fewer than 500 households: shrink the cap to see it bite.
    monkeypatch.setattr(LimitOffsetPagination, "max_limit", 5)
    status, page = admin.get("/api/v1/org/households/?limit=100000")
    assert status == 200 and len(page["results"]) == 5 < page["count"]
    assert "limit=5&offset=5" in page["next"]


BAD_PAGES = [
    f"limit={HUGE}",
    f"offset={HUGE}",
    "limit=abc",
    "limit=0",
    "limit=-1",
    "limit=1.5",
    "limit=%EF%BC%95",  # a full-width digit
    "offset=-1",
    "offset=1e3",
    f"limit=10&offset={HUGE}",
]


def test_a_bad_limit_or_offset_is_a_400_with_a_code_on_every_list(admin):
    for path in lists(admin):
        for query in BAD_PAGES:
            status, body = admin.get(f"{path}?{query}")
            assert status == 400, (path, query, status, body)
            assert body["code"] == "invalid" and body["detail"], (path, body)
            assert set(body["errors"]) <= {"limit", "offset"}, (path, body)


def test_a_huge_id_in_any_path_is_a_json_404_not_a_500(admin):
    for path in operations(admin):
        if "{" not in path:
            continue
        url = re.sub(r"\{action_name\}", "accept", path)
        url = re.sub(r"\{[a-z_]+\}", HUGE, url)
        for method in ("get", "post"):
            status, body = admin.request(method.upper(), url, {})
            assert status in (404, 405), (method, url, status, body)
            assert isinstance(body, dict) and body["code"], (method, url, body)


def test_an_unknown_api_path_is_a_json_404(admin):
    status, body = admin.get("/api/v1/no-such-thing/")
    assert status == 404 and body["code"] == "not_found"


def test_a_body_above_the_upload_limit_is_a_json_413(admin):
    from django.conf import settings

    body = {"text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    for path in ("/api/v1/sos/", "/api/v1/cases/"):
        status, answer = admin.post(path, body)
        assert status == 413 and answer["code"] == "too_large", (path, answer)
        assert "请求体过大" in answer["detail"]


def boom(*args, **kwargs):
    raise RuntimeError("forced for the test")


def test_an_unhandled_exception_under_the_api_is_a_json_500_with_its_request_id(
    admin, monkeypatch, caplog
):
    monkeypatch.setattr("org.api.views.root_nodes", boom)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        status, headers, body = raw(admin.base_url, "/api/v1/org/nodes/", token=admin.token)
    assert status == 500
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert answer["code"] == "server_error" and answer["detail"]
    assert answer["request_id"] == headers["X-Request-ID"] and len(answer["request_id"]) == 32
    assert b"forced for the test" not in body and b"Traceback" not in body
    logged = [r for r in caplog.records if answer["request_id"] in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is RuntimeError


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unhandled_exception_under_open311_is_a_georeport_error_list(
    live_city, monkeypatch, fmt
):
    monkeypatch.setattr("open311.records.active_services", boom)
    status, headers, body = raw(live_city, f"/open311/v2/services.{fmt}")
    assert status == 500
    request_id = headers["X-Request-ID"]
    if fmt == "json":
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        [error] = json.loads(body)
        assert error["code"] == 500 and request_id in error["description"]
    else:
        assert headers["Content-Type"] == "text/xml; charset=utf-8"
        root = ET.fromstring(body)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        assert root.find("error/code").text == "500"
        assert request_id in root.find("error/description").text


def test_pages_keep_their_html_error_page(live_city, monkeypatch):
    monkeypatch.setattr("django.contrib.auth.views.LoginView.get", boom)
    status, headers, body = raw(live_city, "/login/")
    assert status == 500 and headers["Content-Type"].startswith("text/html")


def test_a_number_or_text_too_big_for_its_column_anywhere_is_a_400_not_a_500(admin, monkeypatch):
    """The safety net behind query_int and the serializers' limits: SQLite's OverflowError
    and PostgreSQL's DataError (integer out of range, value too long) are the client's."""
    for error in (OverflowError("Python int too large"), DataError("integer out of range")):

        def fails(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr("org.api.views.root_nodes", fails)
        status, body = admin.get("/api/v1/org/nodes/")
        assert status == 400 and body["code"] == "invalid" and body["detail"], body
