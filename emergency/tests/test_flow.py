"""平急转换 over real HTTP: a community is switched to emergency mode (a second switch and a
nested one are 409), its registered members are called up by home grid, a task is given, a
member checks in from the phone and a staff member checks another in, and switching back
ends it, all on the timelines; the outbox tells the staff and the members."""

from django.test import Client
from django.utils import timezone

from emergency.figures import active_rows
from emergency.models import Activation, CallUp
from members.actions import Details, do_create_registration, do_register_self
from org.models import OrgNode, RoleAssignment, User
from outbox.models import Outbox
from tests.conftest import Http


def user(username) -> User:
    return User.objects.get(username=username)


def test_switch_call_up_task_check_in_and_end(live_city):
    base = live_city
    community_user = user("demo-community")
    community = community_user.assignments.get().node
    grid = user("demo-grid").assignments.get().node
    other_grid = (
        OrgNode.objects.filter(parent=community).exclude(pk=grid.pk).order_by("code").first()
    )
    member = do_register_self(actor=user("demo-volunteer"), employer="区应急管理局")
    walker = do_create_registration(
        actor=community_user,
        details=Details(
            name="王强", phone="13912345678", employer="市税务局", grid_code=other_grid.code
        ),
    )
    outside = OrgNode.objects.exclude(grid_kind="").exclude(code__startswith=community.code).first()
    do_create_registration(
        actor=user("demo-admin"),
        details=Details(name="李外", phone="13912345679", employer="x", grid_code=outside.code),
    )

    leader = Http(base).login("demo-community")
    status, error = leader.post(
        "/api/v1/emergency/activations/", {"node": community.code, "reason": ""}
    )
    assert status == 400 and error["code"] == "invalid"
    grid_worker = Http(base).login("demo-grid")
    status, error = grid_worker.post(
        "/api/v1/emergency/activations/", {"node": community.code, "reason": "台风"}
    )
    assert status == 403 and error["code"] == "not_permitted"

    body = {"node": community.code, "reason": "台风红色预警，启动防汛应急响应"}
    status, activation = leader.post(
        "/api/v1/emergency/activations/", body, headers={"Idempotency-Key": "typhoon-1"}
    )
    assert status == 201, activation
    status, replay = leader.post(
        "/api/v1/emergency/activations/", body, headers={"Idempotency-Key": "typhoon-1"}
    )
    assert status == 201 and replay["id"] == activation["id"]
    status, error = leader.post("/api/v1/emergency/activations/", body)
    assert status == 409 and error["code"] == "already_active"
    status, error = leader.post(
        "/api/v1/emergency/activations/", {"node": grid.code, "reason": "内涝"}
    )
    assert status == 409 and error["code"] == "nested_activation"

    pk = activation["id"]
    # The dashboards' watch list: its time is the switch, not a deadline.
    assert [row["when_label"] for row in active_rows(community.code, 10)] == ["启动"]
    assert set(CallUp.objects.filter(activation_id=pk).values_list("registration", flat=True)) == {
        member.pk,
        walker.pk,
    }
    told = set(
        Outbox.objects.filter(event="emergency_switched").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"demo-community", "demo-grid"} <= told and "demo-resident" not in told
    # Each is sent where they can go: the roll-call for those who command, the text alone
    # for the grid worker (the roll-call would answer 403).
    links = dict(
        Outbox.objects.filter(event="emergency_switched").values_list("recipient__username", "url")
    )
    assert links["demo-community"] == f"/emergency/{activation['id']}/"
    assert links["demo-grid"] == ""
    # The grid worker's home page says their area is in emergency, without the roll-call.
    from django.test import Client

    home = Client()
    home.force_login(user("demo-grid"))
    page = home.get("/").content.decode()
    assert f"<strong>{community.name}</strong> 处于应急状态" in page
    assert f"/emergency/{activation['id']}/" not in page
    assert Outbox.objects.filter(
        event="emergency_called_up", recipient=user("demo-volunteer")
    ).exists()

    # The community commands at its grids: a task for a grid's called-up members; the
    # grid worker does not command (emergency.command is the grid leader's and above).
    status, task = leader.post(
        f"/api/v1/emergency/activations/{pk}/tasks/",
        {
            "grid": grid.code,
            "title": "排查低洼地带住户",
            "place": "1号楼",
            "due_at": "2026-11-30T20:00:00+08:00",
        },
        headers={"Idempotency-Key": "task-1"},
    )
    assert status == 201 and task["members"] == 1, task
    status, error = grid_worker.post(
        f"/api/v1/emergency/activations/{pk}/tasks/", {"grid": grid.code, "title": "x"}
    )
    assert status == 404  # not theirs to open, as the roll-call page (403 there)
    status, error = leader.post(f"/api/v1/emergency/activations/{pk}/tasks/", {"title": "x"})
    assert status == 400 and "网格" in error["detail"]

    # The member sees their call-up and checks in from the phone, with a position.
    volunteer = Http(base).login("demo-volunteer")
    status, mine = volunteer.get("/api/v1/emergency/callups/?mine=true")
    assert (
        status == 200 and mine["count"] == 1 and mine["results"][0]["tasks"] == ["排查低洼地带住户"]
    )
    callup = mine["results"][0]["id"]
    status, done = volunteer.post(
        f"/api/v1/emergency/callups/{callup}/actions/check_in/",
        {"lng": 114.98, "lat": 27.11},
        headers={"Idempotency-Key": "in-1"},
    )
    assert status == 200 and done["status"] == "checked_in", done
    status, error = volunteer.post(f"/api/v1/emergency/callups/{callup}/actions/check_in/", {})
    assert status == 409 and error["code"] == "already_checked_in"
    # Someone else's call-up is not theirs to see.
    others = CallUp.objects.get(activation_id=pk, registration=walker).pk
    status, _ = volunteer.post(f"/api/v1/emergency/callups/{others}/actions/check_in/", {})
    assert status == 404
    # The grid's roll-call names the members in full, as the register and the API do (the
    # staff who command them are the only ones who open it).
    staff = Client()
    staff.force_login(community_user)
    roll_page = staff.get(f"/emergency/{pk}/grids/{other_grid.code}/").content.decode()
    assert "<strong>王强</strong>" in roll_page and "13912345678" not in roll_page
    # The community checks the other member in for them.
    status, done = leader.post(f"/api/v1/emergency/callups/{others}/actions/check_in/", {})
    assert status == 200 and done["status"] == "checked_in"

    # The grid worker neither switches nor commands: the API shows them no emergency, as the
    # pages do not (emergency.permissions.activations_for); the banner tells them of it.
    assert grid_worker.get(f"/api/v1/emergency/activations/{pk}/")[0] == 404
    assert grid_worker.get("/api/v1/emergency/activations/")[1]["count"] == 0
    status, roll = leader.get(f"/api/v1/emergency/activations/{pk}/rollcall/")
    assert roll["total"] == {"called": 2, "checked_in": 2, "on_task": 1}
    by_grid = {row["code"]: row for row in roll["grids"]}
    assert by_grid[grid.code]["on_task"] == 1 and by_grid[other_grid.code]["on_task"] == 0

    status, error = grid_worker.post(
        f"/api/v1/emergency/activations/{pk}/actions/end/", {"version": 1}
    )
    assert status == 404
    status, error = leader.post(f"/api/v1/emergency/activations/{pk}/actions/end/", {"version": 99})
    assert status == 409 and error["code"] == "stale_version"
    status, ended = leader.post(
        f"/api/v1/emergency/activations/{pk}/actions/end/", {"version": 1, "note": "警报解除"}
    )
    assert status == 200 and ended["status"] == "ended"
    assert [e["action"] for e in ended["events"]] == ["switch", "task", "end"]
    assert [(t["title"], t["members"]) for t in ended["tasks"]] == [("排查低洼地带住户", 1)]
    status, error = leader.post(f"/api/v1/emergency/activations/{pk}/actions/end/", {"version": 2})
    assert status == 409 and error["code"] == "emergency_ended"
    status, error = leader.post(
        f"/api/v1/emergency/activations/{pk}/tasks/", {"grid": grid.code, "title": "x"}
    )
    assert status == 409 and error["code"] == "emergency_ended"
    ended_links = dict(
        Outbox.objects.filter(event="emergency_ended").values_list("recipient__username", "url")
    )
    assert ended_links["demo-volunteer"] == "/emergency/mine/"  # called up: their tasks

    # Ended, the subtree may be switched again, and the nested grid alone too.
    status, _ = leader.post("/api/v1/emergency/activations/", {"node": grid.code, "reason": "内涝"})
    assert status == 201
    assert Activation.objects.filter(status="active").count() == 1


def test_scoping_of_switches_and_call_ups(live_city):
    base = live_city
    community = user("demo-community").assignments.get().node
    do_register_self(actor=user("demo-volunteer"), employer="区应急管理局")
    leader = Http(base).login("demo-community")
    status, activation = leader.post(
        "/api/v1/emergency/activations/", {"node": community.code, "reason": "演练"}
    )
    assert status == 201
    # The API opens what the pages open (emergency.permissions.activations_for): staff of
    # 平急转换 whose scope meets it. A resident inside is covered, yet reads nothing of it
    # here (the banner tells them); another community's secretary does not either.
    resident = Http(base).login("demo-resident")
    status, _ = resident.get(f"/api/v1/emergency/activations/{activation['id']}/")
    assert status == 404
    assert resident.get(f"/api/v1/emergency/activations/{activation['id']}/rollcall/")[0] == 404
    assert resident.get("/api/v1/emergency/activations/")[1]["count"] == 0
    assert leader.get(f"/api/v1/emergency/activations/{activation['id']}/")[0] == 200
    seat = user("demo-community").assignments.get()
    sibling = (
        OrgNode.objects.filter(parent=community.parent, level=community.level)
        .exclude(pk=community.pk)
        .first()
    )
    other = User.objects.create_user("other-secretary", password="other-pass-2026")
    RoleAssignment.objects.create(user=other, role=seat.role, node=sibling)
    stranger = Http(base).login("other-secretary", "other-pass-2026")
    status, _ = stranger.get(f"/api/v1/emergency/activations/{activation['id']}/")
    assert status == 404
    status, error = stranger.post(
        f"/api/v1/emergency/activations/{activation['id']}/actions/end/", {"version": 1}
    )
    assert status == 404
    volunteer = Http(base).login("demo-volunteer")
    status, listed = volunteer.get("/api/v1/emergency/activations/")
    assert volunteer.get("/api/v1/emergency/activations/?status=zzz")[0] == 400
    assert volunteer.get("/api/v1/emergency/callups/?mine=maybe")[0] == 400
    # Called up, the volunteer opens no emergency but reads their own call-up (and only it,
    # as on 我的应急任务); the resident, not called up, reads none; the teams are staff's.
    assert status == 200 and listed["count"] == 0
    status, callups = volunteer.get("/api/v1/emergency/callups/")
    assert status == 200 and [c["name"] for c in callups["results"]] == [
        CallUp.objects.get(activation_id=activation["id"]).registration.name
    ]
    status, callups = resident.get("/api/v1/emergency/callups/")
    assert callups["count"] == 0
    assert resident.get("/api/v1/emergency/teams/")[1]["count"] == 0
    status, error = leader.post(
        "/api/v1/emergency/activations/", {"node": sibling.code, "reason": "x"}
    )
    assert status == 403
    # The pages: /emergency/ and a roll-call alike are for switch/command holders whose
    # scope meets the emergency; a grid worker or a called-up member gets 403 on both.
    pages = Client()
    for username, index, roll in (
        ("demo-community", 200, 200),
        ("other-secretary", 200, 404),
        ("demo-grid", 403, 403),
        ("demo-volunteer", 403, 403),
    ):
        pages.force_login(user(username))
        assert pages.get("/emergency/").status_code == index, username
        assert pages.get(f"/emergency/{activation['id']}/").status_code == roll, username
        counts = pages.get(f"/emergency/{activation['id']}/counts/").status_code
        assert counts == roll, username
    assert pages.get("/emergency/mine/").status_code == 200
    # Wherever the emergency shows, its start (起) shows with it, in local time.
    started = timezone.localtime(Activation.objects.get(pk=activation["id"]).started_at)
    since = f"{started:%m-%d %H:%M} 起"
    for username, page in (
        ("demo-community", f"/emergency/{activation['id']}/"),
        ("demo-community", "/emergency/"),
        ("demo-community", "/"),
        ("demo-volunteer", "/emergency/mine/"),
    ):
        pages.force_login(user(username))
        assert since in pages.get(page).content.decode(), (username, page)
