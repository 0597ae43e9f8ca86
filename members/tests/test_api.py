"""The members API over real HTTP: one's own registration, and the scoped, masked register."""

from tests.conftest import Http


def test_the_api_registers_oneself_and_scopes_and_masks_the_register(live_city):
    base = live_city
    resident = Http(base).login("demo-resident")
    status, body = resident.post(
        "/api/v1/members/me/", {"employer": "区教育局", "skills": ["电工"]}
    )
    assert status == 201, body
    assert body["phone"] and "*" not in body["phone"]  # one's own phone, unmasked
    status, again = resident.post(
        "/api/v1/members/me/", {"employer": "区教育局"}, headers={"Idempotency-Key": "me-1"}
    )
    assert status == 200 and again["id"] == body["id"]
    status, error = resident.post("/api/v1/members/me/", {})
    assert status == 400 and error["code"] == "invalid"
    # The register is the community's: the resident may not write to it.
    status, error = resident.post(
        "/api/v1/members/registrations/",
        {"name": "张三", "phone": "13800001111", "employer": "x", "home_grid": body["home_grid"]},
    )
    assert status == 403 and error["code"] == "not_permitted"
    community = Http(base).login("demo-community")
    status, created = community.post(
        "/api/v1/members/registrations/",
        {
            "name": "张三",
            "phone": "13800001111",
            "employer": "市水利局",
            "home_grid": body["home_grid"],
        },
        headers={"Idempotency-Key": "reg-1"},
    )
    assert status == 201, created
    status, listed = community.get("/api/v1/members/registrations/?status=zzz")
    assert status == 400 and "status" in listed["errors"]
    status, listed = community.get("/api/v1/members/registrations/")
    assert status == 200 and listed["count"] == 2
    assert all("*" in row["phone"] for row in listed["results"])
    status, patched = community.request(
        "PATCH",
        f"/api/v1/members/registrations/{created['id']}/",
        {"version": 1, "skills": "驾驶、急救"},
    )
    assert status == 200 and patched["skills"] == ["驾驶", "急救"] and patched["version"] == 2
    status, stale = community.request(
        "PATCH", f"/api/v1/members/registrations/{created['id']}/", {"version": 1, "employer": "x"}
    )
    assert status == 409 and stale["code"] == "stale_version"
    status, bad = community.post(
        "/api/v1/members/registrations/",
        {"name": "李四", "phone": "12345", "employer": "x", "home_grid": body["home_grid"]},
    )
    assert status == 400 and "手机号" in bad["detail"]
    grid = Http(base).login("demo-grid")
    status, listed = grid.get("/api/v1/members/registrations/")
    assert status == 200 and listed["count"] == 0  # seeing is not keeping the register
    status, left = community.request("DELETE", f"/api/v1/members/registrations/{created['id']}/")
    assert status == 200 and left["status"] == "left"
