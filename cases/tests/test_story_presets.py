"""The case loop through the REST API over real HTTP, for each of the five presets, and
the API's answers to stale versions, wrong states, wrong actors, wrong places, bad
bodies and repeated requests."""

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest

from cases.models import Case
from catalog.deadlines import resolution_due
from catalog.loader import DEFAULT_RESPONSE_HOURS
from catalog.models import MatterCategory, Tier
from org.models import Department, OrgNode, User
from presets.loader import read_preset
from tests.conftest import EVERY_PRESET, Http, build_city

CASES = "/api/v1/cases/"


@pytest.fixture(params=EVERY_PRESET)
def preset_city(request, transactional_db, live_server):
    """A tiny city of one preset behind a real HTTP server: (preset key, base URL)."""
    build_city(request.param)
    return request.param, live_server.url


@pytest.fixture
def http(live_city):
    return Http(live_city)


def post_with_headers(client: Http, path: str, body, headers: dict):
    """POST returning (status, payload, response headers): Http.request drops headers."""
    request = urllib.request.Request(
        client.base_url + path, data=json.dumps(body).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {client.token}")
    for key, value in headers.items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def seat(username: str) -> str:
    """The code of the node a demo account is seated at."""
    return User.objects.get(username=username).assignments.get().node.code


def demo_department() -> Department:
    return User.objects.get(username="demo-dept").assignments.get().department


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def act(client: Http, case: dict, action: str, **data):
    return client.post(
        f"{CASES}{case['id']}/actions/{action}/", {"version": case["version"], **data}
    )


def new_case(client: Http, **fields):
    body = {"title": "路灯不亮", "channel": "grid_report", **fields}
    status, case = client.post(CASES, body)
    assert status == 201, case
    return case


# -- the story, per preset ----------------------------------------------------------------


def test_each_preset_sets_the_tier_and_deadlines_of_its_tiers(preset_city):
    key, url = preset_city
    grid = Http(url).login("demo-grid")
    grid_code = seat("demo-grid")
    for spec in read_preset(key).tiers:
        category = MatterCategory.objects.filter(default_tier__code=spec.code).first()
        assert category is not None, f"{key}: no catalogue entry of tier {spec.code}"
        case = new_case(grid, grid_code=grid_code, category_code=category.code)
        assert (case["tier"], case["tier_name"]) == (spec.code, spec.name)
        assert case["status"] == "submitted" and case["version"] == 1
        assert case["light"] == "green" and case["grid_code"] == grid_code
        created = parse(case["created_at"])
        deadline = spec.deadline
        if deadline.hours is not None:
            due = created + dt.timedelta(hours=deadline.hours)
            response_hours = min(deadline.hours, DEFAULT_RESPONSE_HOURS)
            assert case["deadline_warning"] is False
        else:
            tier = Tier.objects.get(code=spec.code)
            assert tier.deadline_working_days == deadline.working_days
            due, warning = resolution_due(tier, created)
            assert case["deadline_warning"] is warning
            response_hours = DEFAULT_RESPONSE_HOURS
        response_hours = spec.response.hours if spec.response else response_hours
        assert parse(case["due_at"]) == due, (key, spec.code)
        assert parse(case["response_due_at"]) == min(
            created + dt.timedelta(hours=response_hours), due
        )
        assert case["number"].startswith(read_preset(key).region.case_prefix + "-")


def test_each_preset_runs_a_case_from_intake_to_publication(preset_city):
    key, url = preset_city
    base = Http(url)
    grid, dept = base.login("demo-grid"), base.login("demo-dept")
    # The grid worker takes the case in and calls back; the community dispatches, closes and
    # publishes (org.permissions: the platform's table, whatever the preset adds).
    community = base.login("demo-community")
    department = demo_department()
    category = MatterCategory.objects.filter(default_tier__code="coordinated").first()
    case = new_case(
        grid,
        title="小区门口路灯坏了",
        grid_code=seat("demo-grid"),
        category_code=category.code,
        reporter={"name": "李四", "phone": "13912345678"},
    )
    assert case["reporter"]["phone"] != "13912345678"  # masked

    steps = [
        (grid, "accept", {}, "accepted"),
        (community, "dispatch", {"lead": {"department": department.code}}, "dispatched"),
        (dept, "accept", {"note": "已签收"}, "in_progress"),
        (dept, "progress", {"note": "已安排维修"}, "in_progress"),
        (dept, "resolve", {"result": "已更换灯泡"}, "resolved"),
        (grid, "callback", {"satisfaction": "satisfied"}, "resolved"),
        (community, "close", {}, "closed"),
        (community, "publish", {}, "closed"),
    ]
    for number, (client, action, data, status) in enumerate(steps, start=2):
        before = case["status"]
        code, case = act(client, case, action, **data)
        assert code == 200, (key, action, case)
        assert case["status"] == status, (key, action)
        assert case["version"] == number
        assert len(case["timeline"]) == number  # the submit event and one per action
        last = case["timeline"][-1]
        assert (last["action"], last["from_status"], last["to_status"]) == (action, before, status)
        assert last["actor"]

    assert case["satisfaction"] == "satisfied" and case["is_published"] is True
    assert case["assignments"][0]["department"] == department.code
    assert case["assignments"][0]["status"] == "done"
    status, detail = community.get(f"{CASES}{case['id']}/")
    assert status == 200
    assert [event["action"] for event in detail["timeline"]] == ["submit"] + [
        action for _, action, _, _ in steps
    ]
    assert detail["allowed_actions"] == ["publish"]  # a summary may be published again
    published = Case.objects.get(pk=case["id"])
    assert published.public_summary and "13912345678" not in published.public_summary
    assert "李四" not in published.public_summary


# -- errors -------------------------------------------------------------------------------


def test_a_stale_version_gets_409_stale_version(http):
    grid = http.login("demo-grid")
    case = new_case(grid, grid_code=seat("demo-grid"))
    status, accepted = act(grid, case, "accept")
    assert status == 200 and accepted["version"] == 2
    status, body = act(grid, case, "handle")  # still version 1
    assert status == 409
    assert body["code"] == "stale_version" and body["detail"]
    assert Case.objects.get(pk=case["id"]).version == 2


def test_an_action_the_state_does_not_allow_gets_409_invalid_transition(http):
    grid = http.login("demo-grid")
    case = new_case(grid, grid_code=seat("demo-grid"))
    status, body = act(grid, case, "resolve", result="已办")
    assert status == 409 and body["code"] == "invalid_transition"
    status, body = act(grid, case, "publish")
    assert status == 409 and body["code"] == "invalid_transition"
    assert Case.objects.get(pk=case["id"]).status == "submitted"


def test_an_action_by_the_wrong_actor_gets_403_not_permitted(http):
    grid, community = http.login("demo-grid"), http.login("demo-community")
    case = new_case(grid, grid_code=seat("demo-grid"))
    _, case = act(grid, case, "dispatch", lead={"department": demo_department().code})
    # The community sees the case, but only the department it was given to may take it.
    status, body = act(community, case, "accept")
    assert status == 403 and body["code"] == "not_permitted"
    # The resident who lives there does not see a staff member's case at all.
    status, body = act(http.login("demo-resident"), case, "accept")
    assert status == 404
    assert Case.objects.get(pk=case["id"]).status == "dispatched"


def test_a_resident_cannot_accept_their_own_case(http):
    resident = http.login("demo-resident")
    case = new_case(resident, channel="qr_code", title="楼道灯坏了")
    status, body = act(resident, case, "accept")
    assert status == 403 and body["code"] == "not_permitted"


def test_a_case_outside_the_users_scope_is_404_for_reading_and_acting(http):
    admin, grid = http.login("demo-admin"), http.login("demo-grid")
    elsewhere = (
        OrgNode.objects.exclude(grid_kind="").exclude(code__startswith=seat("demo-grid")).last()
    )
    case = new_case(admin, grid_code=elsewhere.code)
    status, body = grid.get(f"{CASES}{case['id']}/")
    assert status == 404 and body["code"] == "not_found"
    status, _ = act(grid, case, "accept")
    assert status == 404
    status, page = grid.get(CASES)
    assert status == 200 and case["id"] not in [c["id"] for c in page["results"]]
    assert Case.objects.get(pk=case["id"]).version == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"channel": "grid_report"}, "title"),
        ({"title": "路灯不亮", "channel": "carrier_pigeon"}, "channel"),
        ({"title": "路灯不亮", "channel": "grid_report", "location": {"lng": 114.99}}, "location"),
        (
            {"title": "路灯不亮", "channel": "grid_report", "category_code": "NOPE-1"},
            "category_code",
        ),
    ],
    ids=["missing-title", "unknown-channel", "half-a-location", "bad-category"],
)
def test_a_bad_case_body_gets_400_with_the_field_in_errors(http, body, field):
    status, answer = http.login("demo-grid").post(CASES, body)
    assert status == 400, answer
    assert answer["code"] == "invalid"
    assert field in answer["errors"], answer
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "action, data, field",
    [
        (
            "request_extension",
            {"reason": "材料未到", "until": "2026-02-30T10:00:00+08:00"},
            "until",
        ),
        ("dispatch", {"assist": 5}, "assist"),
    ],
    ids=["impossible-date", "assist-not-a-list"],
)
def test_a_malformed_action_body_gets_400_not_a_server_error(http, action, data, field):
    grid = http.login("demo-grid")
    case = new_case(grid, grid_code=seat("demo-grid"))
    if action == "request_extension":
        _, case = act(grid, case, "handle")
    else:
        data = {**data, "lead": {"department": demo_department().code}}
    status, answer = act(grid, case, action, **data)
    assert status == 400, (status, answer)
    assert answer["code"] == "invalid"


def test_the_same_post_twice_with_an_idempotency_key_gives_one_case(http):
    grid = http.login("demo-grid")
    body = {"title": "井盖丢了", "channel": "grid_report", "grid_code": seat("demo-grid")}
    headers = {"Idempotency-Key": "c0ffee-1"}
    status, first, first_headers = post_with_headers(grid, CASES, body, headers)
    assert status == 201 and first_headers["Idempotent-Replay"] == "false"
    status, again, again_headers = post_with_headers(grid, CASES, body, headers)
    assert status == 201 and again_headers["Idempotent-Replay"] == "true"
    assert again == first
    assert Case.objects.filter(title="井盖丢了").count() == 1


def test_an_idempotency_key_reused_with_another_body_gets_422(http):
    grid = http.login("demo-grid")
    body = {"title": "井盖丢了", "channel": "grid_report", "grid_code": seat("demo-grid")}
    headers = {"Idempotency-Key": "c0ffee-2"}
    status, _, _ = post_with_headers(grid, CASES, body, headers)
    assert status == 201
    status, answer, _ = post_with_headers(grid, CASES, {**body, "title": "路灯不亮"}, headers)
    assert status == 422 and answer["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_an_action_retried_with_its_idempotency_key_is_applied_once(http):
    grid = http.login("demo-grid")
    case = new_case(grid, grid_code=seat("demo-grid"))
    path = f"{CASES}{case['id']}/actions/accept/"
    headers = {"Idempotency-Key": "accept-once"}
    status, first, _ = post_with_headers(grid, path, {"version": 1}, headers)
    assert status == 200 and first["version"] == 2
    status, again, replay = post_with_headers(grid, path, {"version": 1}, headers)
    assert status == 200 and replay["Idempotent-Replay"] == "true"
    assert again["version"] == 2  # not a 409: the first answer, replayed
    assert Case.objects.get(pk=case["id"]).events.count() == 2


def test_an_unsatisfied_callback_sends_the_case_back_to_the_department_that_resolved_it(http):
    """重办: the unit that resolved the case does it again."""
    grid, dept = http.login("demo-grid"), http.login("demo-dept")
    case = new_case(grid, grid_code=seat("demo-grid"))
    _, case = act(grid, case, "dispatch", lead={"department": demo_department().code})
    _, case = act(dept, case, "accept")
    _, case = act(dept, case, "resolve", result="已处理")
    status, case = act(grid, case, "callback", satisfaction="unsatisfied")
    assert status == 200 and case["status"] == "in_progress" and case["reopen_count"] == 1
    status, case = act(dept, case, "progress", note="重新处理")
    assert status == 200, case
    status, case = act(dept, case, "resolve", result="已彻底修好")
    assert status == 200 and case["status"] == "resolved"


def test_a_reopened_case_goes_back_to_the_unit_that_resolved_it_not_an_earlier_lead(http):
    """The department escalated the case away, the community resolved it itself: an
    unsatisfied callback sends it back to the community, not to the department."""
    grid, community = http.login("demo-grid"), http.login("demo-community")
    dept = http.login("demo-dept")
    case = new_case(grid, grid_code=seat("demo-grid"))
    _, case = act(grid, case, "dispatch", lead={"department": demo_department().code})
    _, case = act(dept, case, "accept")
    status, case = act(dept, case, "escalate", reason="不属于本部门职责")
    assert status == 200 and case["handling_node"] == seat("demo-community")
    status, case = act(community, case, "handle")
    assert status == 200 and case["status"] == "in_progress"
    status, case = act(community, case, "resolve", result="社区协调解决")
    assert status == 200, case
    status, case = act(community, case, "callback", satisfaction="unsatisfied")
    assert status == 200 and case["status"] == "in_progress"
    status, answer = act(dept, case, "progress", note="部门又被派回来了")
    assert status == 403, "the department that escalated the case got it back on reopening"
    status, case = act(community, case, "progress", note="社区重办")
    assert status == 200, case
