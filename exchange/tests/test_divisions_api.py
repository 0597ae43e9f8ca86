"""The division import's API over real HTTP: the same rule refuses ``code=ABC``."""

from org.models import OrgNode
from tests.conftest import Http, live_city  # noqa: F401 (fixture)


def test_the_api_refuses_abc_and_takes_a_good_row(live_city, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    top = OrgNode.objects.get(parent=None).code
    leader = Http(live_city).login("demo-leader")
    rows = [
        {"code": "ABC", "name": "字母街道", "parent_code": top, "level": "town"},
        {"code": f"{top}094000", "name": "接口街道", "parent_code": top, "level": "town"},
    ]
    status, body = leader.post("/api/v1/divisions/import/?dry_run=1", {"rows": rows})
    assert status == 200 and body["dry_run"] and body["created"] == 1
    assert not OrgNode.objects.filter(name="接口街道").exists()
    status, body = leader.post("/api/v1/divisions/import/", {"rows": rows})
    assert (status, body["created"], body["failed"]) == (200, 1, 1), body
    assert body["errors"][0]["line"] == "2" and "只能由数字" in body["errors"][0]["reason"]
    assert OrgNode.objects.get(name="接口街道").code == f"{top}094"
    status, body = leader.post("/api/v1/divisions/import/", {"rows": []})
    assert status == 400 and body["code"] == "invalid"
    grid_worker = Http(live_city).login("demo-grid")
    status, body = grid_worker.post("/api/v1/divisions/import/", {"rows": rows})
    assert status == 403 and body["detail"] == "您的角色不能导入行政区划和网格"
