"""The API contract over real HTTP: tokens, the org tree, point→grid."""

import pytest

from org.models import OrgNode
from tests.conftest import Http


@pytest.fixture
def http(live_city):
    return Http(live_city)


def test_token_is_issued_for_good_credentials_and_used_as_bearer(http):
    client = http.login("demo-leader")
    status, nodes = client.get("/api/v1/org/nodes/")
    assert status == 200
    assert [node["code"] for node in nodes] == ["360802"]


def test_bad_credentials_get_a_401_with_a_code(http):
    status, body = http.post("/api/v1/auth/token", {"username": "demo-leader", "password": "x"})
    assert status == 401
    assert body["code"] == "invalid_credentials"
    assert body["detail"]


def test_a_token_request_without_fields_gets_a_400_naming_them(http):
    status, body = http.post("/api/v1/auth/token", {})
    assert status == 400
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"username", "password"}


def test_requests_without_a_token_get_401(http):
    status, body = http.get("/api/v1/org/nodes/")
    assert status == 401
    assert body["code"] == "not_authenticated"


def test_an_unknown_token_gets_401(http):
    status, _ = Http(http.base_url, "not-a-token").get("/api/v1/org/nodes/")
    assert status == 401


def test_children_of_a_node_come_with_subtree_counts(http):
    client = http.login("demo-leader")
    status, towns = client.get("/api/v1/org/nodes/?parent=360802")
    assert status == 200
    assert len(towns) == OrgNode.objects.filter(parent__code="360802").count()
    assert all(t["parent_code"] == "360802" and t["level"] == "town" for t in towns)
    status, root = client.get("/api/v1/org/nodes/360802/")
    assert sum(t["counts"]["grids"] for t in towns) == root["counts"]["grids"] == 12
    assert sum(t["counts"]["residents"] for t in towns) == root["counts"]["residents"]
    assert root["counts"]["households"] > 0 and root["counts"]["staff"] > 0


def test_a_grid_node_carries_its_polygon(http):
    client = http.login("demo-leader")
    grid = OrgNode.objects.exclude(grid_kind="").first()
    status, body = client.get(f"/api/v1/org/nodes/{grid.code}/")
    assert status == 200
    assert body["geometry"]["type"] == "Polygon"
    assert body["grid_kind"] in {"residential", "unit"}


def test_locate_answers_the_grid_of_a_point(http):
    client = http.login("demo-grid")
    grid = OrgNode.objects.exclude(grid_kind="").order_by("code").last()
    (x0, y0), (x1, y1) = grid.geometry["coordinates"][0][0], grid.geometry["coordinates"][0][2]
    status, body = client.get(f"/api/v1/org/locate/?lng={(x0 + x1) / 2}&lat={(y0 + y1) / 2}")
    assert status == 200
    assert body == {"grid_code": grid.code, "grid_name": grid.name}


def test_locate_outside_every_grid_answers_null(http):
    status, body = http.login("demo-grid").get("/api/v1/org/locate/?lng=1&lat=1")
    assert status == 200 and body["grid_code"] is None


@pytest.mark.parametrize("query", ["lng=abc&lat=27", "lng=200&lat=27", "lat=27", ""])
def test_locate_rejects_bad_coordinates_with_400(http, query):
    status, body = http.login("demo-grid").get(f"/api/v1/org/locate/?{query}")
    assert status == 400
    assert body["code"] == "invalid"


def test_bulk_locate_answers_one_code_per_point(http):
    client = http.login("demo-grid")
    grids = list(OrgNode.objects.exclude(grid_kind="").order_by("code"))
    points = []
    for grid in grids:
        (x0, y0), (x1, y1) = grid.geometry["coordinates"][0][0], grid.geometry["coordinates"][0][2]
        points.append([(x0 + x1) / 2, (y0 + y1) / 2])
    points.append([1, 1])
    status, body = client.post("/api/v1/org/locate/", {"points": points})
    assert status == 200
    assert body["grid_codes"] == [g.code for g in grids] + [None]


def test_bulk_locate_rejects_malformed_points(http):
    client = http.login("demo-grid")
    for points in ([], [[1]], [["a", "b"]], [[500, 0]], "x"):
        status, body = client.post("/api/v1/org/locate/", {"points": points})
        assert status == 400, points
        assert body["code"] == "invalid"


def test_the_openapi_schema_and_docs_are_served(http):
    status, schema = http.get("/api/v1/schema/?format=json")
    assert status == 200
    assert "/api/v1/org/locate/" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]
    status, page = http.request("GET", "/api/v1/docs/", headers={"Accept": "text/html"})
    assert status == 200 and "swagger-ui" in page
