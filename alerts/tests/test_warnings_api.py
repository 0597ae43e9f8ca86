"""The early warning's API over real HTTP: the list is scoped (a grid worker sees their
grid's, the community its grids'), filters, acknowledge / deal with idempotent POSTs and a
409 on a stale version, Chinese 400s, the patrol-quality endpoint."""

import datetime as dt

from django.db import transaction

from alerts.models import Warning
from alerts.tests.factories import at
from alerts.warnings.job import keep_signals
from gridgov.early_warning import Signal
from org.models import OrgNode, User
from tests.conftest import Http


def _signal(grid, subject, kind="alerts.blind_spot"):
    return Signal(
        kind=kind,
        subject=subject,
        node_code=grid.code,
        title=f"巡查盲区：{grid.name}",
        reason="测试原因",
        evidence_url="/cases/",
    )


def test_warnings_over_http(live_city):
    grid = User.objects.get(username="demo-grid").assignments.get().node
    other = OrgNode.objects.exclude(grid_kind="").exclude(pk=grid.pk).order_by("code").first()
    day = dt.date(2025, 11, 3)
    with transaction.atomic():  # keep_signals locks the warnings it updates
        keep_signals(
            [
                _signal(grid, "grid=mine;group=a"),
                _signal(grid, "case=X-1", kind="alerts.turning_red"),
                _signal(other, "grid=other;group=a"),
            ],
            day,
            at=at(day, 23),
            notify_owners=False,
        )
    mine = Warning.objects.get(subject="grid=mine;group=a")
    worker = Http(live_city).login("demo-grid")

    status, body = worker.get("/api/v1/alerts/warnings/")
    assert status == 200
    assert {row["subject"] for row in body["results"]} == {"grid=mine;group=a", "case=X-1"}
    status, body = worker.get("/api/v1/alerts/warnings/?kind=alerts.turning_red")
    assert [row["subject"] for row in body["results"]] == ["case=X-1"]
    foreign = Warning.objects.get(subject="grid=other;group=a")
    if not other.code.startswith(grid.code):
        assert worker.get(f"/api/v1/alerts/warnings/{foreign.pk}/")[0] == 404

    community = Http(live_city).login("demo-community")
    status, body = community.get(f"/api/v1/alerts/warnings/?node={grid.parent.code}")
    assert status == 200 and "grid=mine;group=a" in {row["subject"] for row in body["results"]}

    url = f"/api/v1/alerts/warnings/{mine.pk}/actions/acknowledge/"
    key = {"Idempotency-Key": "ack-1"}
    first = worker.post(url, {"version": 1}, headers=key)
    again = worker.post(url, {"version": 1}, headers=key)
    assert first[0] == 200 and first == again  # replayed, not applied twice
    assert first[1]["status"] == "acknowledged" and first[1]["version"] == 2
    status, body = worker.post(url, {"version": 1})
    assert status == 409 and body["code"] == "stale_version" and "版本" in body["detail"]
    deal = f"/api/v1/alerts/warnings/{mine.pk}/actions/deal/"
    status, body = worker.post(deal, {"version": 2})
    assert status == 400 and body["detail"] == "请填写处置情况"
    status, body = worker.post(deal, {"version": "二"})
    assert status == 400 and body["detail"] == "请求数据有误"
    status, body = community.post(deal, {"version": 2, "note": "已到现场核实"})
    assert status == 200 and body["status"] == "dealt"
    assert [e["action"] for e in body["events"]] == ["open", "acknowledge", "deal"]
    status, body = worker.post(deal, {"version": 3, "note": "再处置"})
    assert status == 409 and body["code"] == "invalid_transition"

    resident = Http(live_city).login("demo-resident")
    assert resident.get("/api/v1/alerts/warnings/")[1]["results"] == []

    status, body = community.get(
        f"/api/v1/alerts/patrol-quality/?node={grid.parent.code}&week=2025-11-05"
    )
    assert status == 200 and body["week_start"] == "2025-11-03"
    assert grid.code in {row["grid_code"] for row in body["grids"]}
    assert community.get("/api/v1/alerts/patrol-quality/?node=nowhere")[0] == 400
    # Chinese 400s for a bad query; a resident reads no patrol quality (403).
    status, body = community.get("/api/v1/alerts/patrol-quality/?week=garbage")
    assert status == 400 and "日期格式" in body["detail"]
    status, body = community.get("/api/v1/alerts/alarms/?status=zzz")
    assert status == 400 and "没有这个状态" in body["detail"]
    assert resident.get("/api/v1/alerts/patrol-quality/")[0] == 403
