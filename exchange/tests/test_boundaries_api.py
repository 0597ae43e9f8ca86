"""POST /api/v1/boundaries/import/ over real HTTP: a dry run changes nothing, an import is
answered with the report and point→grid answers with the new outline at once."""

import json
import urllib.error
import urllib.request
import uuid

from exchange.models import BoundaryImport
from org.models import OrgNode, User
from tests.conftest import Http

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[130, 30], [130.1, 30.1], [130.1, 30], [130, 30.1], [130, 30]]],
}


def post_file(http: Http, fields: dict, name: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        http.base_url + "/api/v1/boundaries/import/", data=body, method="POST"
    )
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    request.add_header("Authorization", f"Bearer {http.token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_street_imports_a_grid_outline_and_locate_uses_it_at_once(live_city):
    street = User.objects.get(username="demo-street").assignments.get().node
    grid = OrgNode.objects.filter(code__startswith=street.code).exclude(grid_kind="").first()
    content = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": grid.code}, "geometry": BOWTIE},
                {"type": "Feature", "properties": {"code": "999"}, "geometry": BOWTIE},
            ],
        }
    ).encode()
    api = Http(live_city).login("demo-street")
    fields = {"level": grid.level.key, "match": "code"}

    status, body = post_file(api, {**fields, "dry_run": "true"}, "grids.geojson", content)
    assert status == 200, body
    assert body["applied"] is False and body["id"] is None
    assert [item["code"] for item in body["report"]["repaired"]] == [grid.code]
    assert body["report"]["unmatched"][0]["value"] == "999"
    assert api.get("/api/v1/org/locate/?lng=130.01&lat=30.05")[1]["grid_code"] is None

    status, body = post_file(api, fields, "grids.geojson", content)
    assert status == 200, body
    assert body["applied"] is True and body["map_version"]
    record = BoundaryImport.objects.get(pk=body["id"])
    assert record.user.username == "demo-street" and record.updated == 1
    assert record.previous[grid.code] is not None  # the generator's outline, recoverable
    assert api.get("/api/v1/org/locate/?lng=130.01&lat=30.05")[1]["grid_code"] == grid.code


def test_refusals_are_json_with_a_reason(live_city):
    api = Http(live_city).login("demo-street")
    status, body = post_file(api, {"level": "grid"}, "grids.geojson", b"not json")
    assert status == 400 and "GeoJSON" in body["detail"]
    status, body = post_file(api, {"level": "nowhere"}, "grids.geojson", b"{}")
    assert status == 400 and "没有层级" in body["detail"]
    volunteer = Http(live_city).login("demo-volunteer")
    status, body = post_file(volunteer, {"level": "grid"}, "grids.geojson", b"{}")
    assert status == 403 and body["detail"] == "您的角色不能导入边界"
