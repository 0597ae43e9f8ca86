"""The patrol API over real HTTP: idempotent start/points/findings/end, the version 409,
Chinese 400s, scoped lists and the week's summary, and its OpenAPI description."""

import pytest
from django.utils import timezone
from shapely.geometry import shape

from cases.models import Case
from org.models import User
from patrol.models import Finding, Patrol, TrackChunk
from tests.conftest import Http

API = "/api/v1/patrol"


def test_a_patrol_through_the_api_with_retries(live_city):
    worker = Http(live_city).login("demo-grid")
    grid = User.objects.get(username="demo-grid").assignments.get().node
    key = {"Idempotency-Key": "start-1"}

    status, first = worker.post(f"{API}/patrols/", {"grid_code": grid.code}, headers=key)
    assert status == 201, first
    status, again = worker.post(f"{API}/patrols/", {"grid_code": grid.code}, headers=key)
    assert (status, again["id"]) == (201, first["id"])
    assert Patrol.objects.count() == 1  # the replay made no second patrol
    status, refused = worker.post(f"{API}/patrols/", {})
    assert status == 409 and refused["code"] == "patrol_open" and "请先结束" in refused["detail"]

    pk = first["id"]
    spot = shape(grid.geometry).representative_point()
    batch = {
        "points": [
            {"lat": spot.y, "lng": spot.x, "accuracy": 6, "recorded_at": timezone.now().isoformat()}
        ]
    }
    for _ in range(2):
        status, body = worker.post(
            f"{API}/patrols/{pk}/points/", batch, headers={"Idempotency-Key": "b1"}
        )
        assert status == 200 and body["point_count"] == 1 and body["left_grid_at"] is None, body
    assert TrackChunk.objects.count() == 1
    status, bad = worker.post(f"{API}/patrols/{pk}/points/", {"points": [{"lat": "北纬"}]})
    assert status == 400 and bad["detail"].isascii() is False, bad
    status, bad = worker.post(f"{API}/patrols/{pk}/points/", {"points": "none"})
    assert status == 400 and "轨迹点" in bad["detail"]

    finding = {"kind": "problem", "text": "路边井盖缺失", "offline_at": "not a time"}
    for _ in range(2):
        status, found = worker.post(
            f"{API}/patrols/{pk}/findings/", finding, headers={"Idempotency-Key": "f1"}
        )
        assert status == 201 and found["case_number"], found
    case = Case.objects.get()
    assert case.channel == "patrol" and Finding.objects.get().case == case
    assert "无法识别" in found["time_note"] and "按收到时间记录" in found["time_note"]
    status, bad = worker.post(f"{API}/patrols/{pk}/findings/", {"kind": "weather", "text": "晴"})
    assert status == 400 and bad["code"] == "invalid"

    status, stale = worker.post(f"{API}/patrols/{pk}/actions/end/", {"version": 9})
    assert (status, stale["code"]) == (409, "stale_version")
    status, ended = worker.post(
        f"{API}/patrols/{pk}/actions/end/", {"version": 1}, headers={"Idempotency-Key": "e1"}
    )
    assert status == 200 and ended["status"] == "ended" and ended["allowed_actions"] == []
    assert [e["action"] for e in ended["events"]] == ["start", "finding", "end"]
    status, replay = worker.post(
        f"{API}/patrols/{pk}/actions/end/", {"version": 1}, headers={"Idempotency-Key": "e1"}
    )
    assert (status, replay["version"]) == (200, 2)
    status, track = worker.get(f"{API}/patrols/{pk}/track/")
    assert status == 200 and track["coordinates"] == [[round(spot.x, 6), round(spot.y, 6)]]

    # Seeing is scoping: the community sees it, a resident does not.
    community = Http(live_city).login("demo-community")
    status, listed = community.get(f"{API}/patrols/")
    assert status == 200 and [p["id"] for p in listed["results"]] == [pk]
    status, refused = community.get(f"{API}/patrols/?left_grid=maybe")  # never ignored
    assert status == 400 and refused["errors"]["left_grid"] == ["只能是 true 或 false"]
    assert community.get(f"{API}/patrols/?left_grid=false")[0] == 200
    resident = Http(live_city).login("demo-resident")
    assert resident.get(f"{API}/patrols/{pk}/")[0] == 404
    status, refused = resident.post(f"{API}/patrols/", {"grid_code": grid.code})
    assert status == 403 and refused["detail"] == "您没有巡查的职责"

    status, mine = worker.get(f"{API}/week/")
    assert status == 200 and mine["findings"] == 1 and len(mine["days"]) == 7
    status, week = community.get(f"{API}/week/?node={grid.parent.code}")
    assert status == 200 and {row["grid"]["code"] for row in week["rows"]} >= {grid.code}
    assert week["totals"]["cases"] == 1
    assert community.get(f"{API}/week/?week=someday")[0] == 400


@pytest.mark.django_db
def test_the_patrol_api_is_in_the_openapi_description(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/patrol/patrols/",
        "/api/v1/patrol/patrols/{id}/actions/{action_name}/",
        "/api/v1/patrol/patrols/{id}/points/",
        "/api/v1/patrol/patrols/{id}/findings/",
        "/api/v1/patrol/week/",
    ):
        assert path in paths, path
