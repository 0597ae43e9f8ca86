"""The visits and care API over real HTTP: an idempotent visit, a need's conversion, the
to-do list, coverage, care schedules and contacts; Chinese reasons; masked names."""

from org.models import Household, User
from patrol.care import do_plan_default_care
from patrol.models import CareSchedule, Visit
from residents.models import Resident, Tag
from tests.conftest import Http


def test_the_visit_api_from_a_visit_to_a_case(live_city):
    worker = Http(live_city).login("demo-grid")
    grid = User.objects.get(username="demo-grid").assignments.get().node
    household = Household.objects.filter(grid=grid).order_by("code").first()
    head = household.residents.order_by("-is_householder").first()
    body = {
        "household": household.pk,
        "outcome": "met",
        "met": [head.pk],
        "needs": [{"text": "屋顶漏雨", "category": "living", "resident": head.pk}],
    }
    headers = {"Idempotency-Key": "visit-once-1"}
    status, first = worker.post("/api/v1/patrol/visits/", body, headers=headers)
    assert status == 201, first
    status, replay = worker.post("/api/v1/patrol/visits/", body, headers=headers)
    assert (status, replay["id"]) == (201, first["id"])
    assert Visit.objects.filter(household=household).count() == 1
    assert first["met_names"] == [head.name[0] + "*" * (len(head.name) - 1)]
    assert first["needs"][0]["resident_name"] != head.name

    status, error = worker.post("/api/v1/patrol/visits/", {**body, "outcome": "maybe"})
    assert status == 400 and error["detail"] == "请求数据有误" and "outcome" in error["errors"]
    status, error = worker.post("/api/v1/patrol/visits/", {**body, "household": 10**9})
    assert status == 400 and "管辖范围" in error["detail"]

    need = first["needs"][0]["id"]
    status, made = worker.post(f"/api/v1/patrol/visit-needs/{need}/convert/", {"target": "case"})
    assert status == 201 and made["created"] and made["number"]
    status, again = worker.post(f"/api/v1/patrol/visit-needs/{need}/convert/", {"target": "case"})
    assert (status, again["id"], again["created"]) == (200, made["id"], False)
    status, error = worker.post(f"/api/v1/patrol/visit-needs/{need}/convert/", {"target": "x"})
    assert status == 400

    status, todo = worker.get(f"/api/v1/patrol/visits/todo/?grid={grid.code}")
    assert status == 200 and household.pk not in [r["household"] for r in todo["results"]]
    status, cover = worker.get(f"/api/v1/patrol/visits/coverage/?node={grid.code}")
    assert status == 200 and cover["covered"] == 1 and cover["target"] == 0
    status, mine = worker.get("/api/v1/patrol/visits/coverage/")  # defaults to the seat's grid
    assert status == 200 and (mine["node"], mine["covered"]) == (grid.code, 1)
    status, listed = worker.get("/api/v1/patrol/visits/")
    assert status == 200 and [v["id"] for v in listed["results"]] == [first["id"]]
    resident = Http(live_city).login("demo-resident")
    status, _ = resident.get(f"/api/v1/patrol/visits/{first['id']}/")
    assert status == 404


def test_the_care_api_lists_masked_and_records_a_call_once(live_city):
    grid = User.objects.get(username="demo-grid").assignments.get().node
    resident = Resident.objects.filter(household__grid=grid, phone__gt="").order_by("pk").first()
    resident.tags.add(Tag.objects.get(code="living-alone"))
    do_plan_default_care(grid.code)
    schedule = CareSchedule.objects.get(resident=resident)
    worker = Http(live_city).login("demo-grid")
    assert worker.get("/api/v1/patrol/care/schedules/?show=late")[0] == 400
    status, listed = worker.get("/api/v1/patrol/care/schedules/")
    assert status == 200
    row = next(r for r in listed["results"] if r["id"] == schedule.pk)
    assert resident.name not in str(listed) and resident.phone not in str(listed)
    assert row["resident_phone"].endswith(resident.phone[-4:]) and "*" in row["resident_phone"]
    headers = {"Idempotency-Key": "call-once"}
    for _ in range(2):
        status, contact = worker.post(
            "/api/v1/patrol/care/contacts/",
            {"schedule": schedule.pk, "note": "电话问候"},
            headers=headers,
        )
        assert status == 201, contact
    assert schedule.contacts.count() == 1
    status, error = worker.post(
        "/api/v1/patrol/care/contacts/", {"schedule": schedule.pk, "kind": "zzz"}
    )
    assert status == 400 and "kind" in error["errors"] and schedule.contacts.count() == 1
    status, error = worker.post(
        "/api/v1/patrol/care/schedules/",
        {"resident": resident.pk, "every_days": 3, "by": "grid_worker"},
    )
    assert status == 403 and "关爱计划" in error["detail"]
    planner = Http(live_city).login("demo-community")
    status, planned = planner.post(
        "/api/v1/patrol/care/schedules/",
        {
            "resident": resident.pk,
            "every_days": 3,
            "by": "grid_worker",
            "version": schedule.version,
        },
    )
    assert status == 200 and planned["every_days"] == 3
