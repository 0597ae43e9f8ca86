"""The verb walk: every verb of the capability table × every duty of every preset, over
real HTTP, driven from the table itself.

For each preset, one generated staff member of each duty signs in. For each verb the walk
builds an object the person could act on through the verb (inside their seat's subtree,
for their department), asks the API or the page, and checks the answer against the
active table (``org.permissions.active_table``):

- the duty holds the verb → the answer is neither 403 nor 404;
- it does not → the answer is 403 or 404;
- for case verbs, the case's ``allowed_actions`` in the API says the same as the table.

Every action of the case lifecycle (``cases.transitions.TABLE``) is a verb ``cases.<action>``
and is walked without a line here: the walk finds a state and a relation in which the
person's seat could take it and puts a case there. Every other verb needs a probe below;
``test_every_verb_has_a_probe`` fails for a new verb until it has one.
"""

import datetime as dt
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from cases.actions import Report, do_create_case
from cases.models import Assignment, AssignmentRole, AssignmentStatus, Case, Status
from cases.transitions import TABLE
from credit.models import IncentiveRule
from exchange.models import HotlineSystem
from org.models import Department, LevelKind, OrgNode, RoleAssignment, User
from org.permissions import VERBS, active_table
from participation.models import OrderStatus, ServiceOrder
from residents.models import Resident
from tests.conftest import EVERY_PRESET, Http, build_city

PASSWORD = "verb-walk-2026"
# Actions only the reporter takes (rating their own case) are not a duty's verb.
CASE_VERBS = {f"cases.{action}" for (_, action), t in TABLE.items() if set(t.who) - {"reporter"}}

# What an action needs to get past its own validation (an allowed actor must not stop at
# 403/404; a 400 or 409 for the walk's rough data still says "allowed").
ACTION_DATA = {
    "reject": {"reason": "不属于受理范围"},
    "return": {"reason": "不属本单位职责"},
    "escalate": {"reason": "需要上级协调"},
    "reopen": {"reason": "居民不满意"},
    "progress": {"note": "已到现场"},
    "resolve": {"result": "已处理"},
    "callback": {"satisfaction": "satisfied"},
    "request_extension": {"reason": "需要采购材料", "working_days": 3},
    "approve_extension": {"approve": True},
}


@dataclass
class Person:
    duty: str
    user: User
    code: str  # the node the seat is bound to
    department_id: int | None
    api: Http
    verbs: frozenset
    grid: OrgNode  # a grid to place their objects in
    pages: object = None
    notes: list = field(default_factory=list)

    def holds(self, verb: str) -> bool:
        return verb in self.verbs


def page_session(base: str, username: str, password: str = PASSWORD):
    """A browser-like session over real HTTP: the login page's form, then its cookies."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    html = opener.open(base + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(base + "/login/", data=body, headers={"Referer": base}))
    return opener


def page(opener, base: str, path: str, form: dict | None = None) -> int:
    """The status of a page: GET, or POST of ``form`` with the page's CSRF token."""
    try:
        if form is None:
            return opener.open(base + path).status
        html = opener.open(base + path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base + path, data=body, headers={"Referer": base})
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


def people(base: str) -> list[Person]:
    """One generated staff member (or resident) per duty of the preset, signed in."""
    table = active_table()
    chosen: dict[str, RoleAssignment] = {}
    seats = RoleAssignment.objects.select_related("role", "node", "user").order_by(
        "node__code", "user__username"
    )
    # Generated people first; a demo account where the city generates nobody (a resident).
    for seat in [*seats.exclude(user__username__startswith="demo-"), *seats]:
        if seat.user.assignments.count() == 1:
            chosen.setdefault(seat.role.duty, seat)
    grids = OrgNode.objects.exclude(grid_kind="").order_by("code")
    result = []
    for duty, seat in sorted(chosen.items()):
        user = seat.user
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        if seat.department_id:
            grid = grids.first()
        else:
            grid = grids.filter(code__startswith=seat.node.code).first()
            if grid is None:  # a seat below the grids (a building's): its own grid
                grid = grids.filter(code__in=ancestors_of(seat.node.code)).last()
        result.append(
            Person(
                duty=duty,
                user=user,
                code=seat.node.code,
                department_id=seat.department_id,
                api=Http(base).login(user.username, PASSWORD),
                verbs=table.get(duty, frozenset()),
                grid=grid,
            )
        )
    return result


def ancestors_of(code: str) -> list[str]:
    return [code[:end] for end in range(1, len(code) + 1)]


# -- case verbs: generic over the lifecycle table -----------------------------------------


def feasible(person: Person, relation: str, state: str) -> bool:
    """Whether a case can be put where ``person`` stands in ``relation`` to it."""
    if person.department_id:
        return relation in ("handler", "summoned") and state != Status.RESOLVED
    if relation == "supervisor":
        return person.grid.code != person.code  # a seat above the grid supervises it
    return relation in ("dispatcher", "handler")


def place_case(person: Person, action: str, admin) -> Case | None:
    """A case in a state where ``action`` applies and ``person`` would take it through one
    of the transition's relations; None when their seat can stand in none of them."""
    for (state, name), transition in TABLE.items():
        if name != action:
            continue
        relation = next(
            (r for r in transition.who if r != "reporter" and feasible(person, r, state)),
            None,
        )
        if relation is None:
            continue
        case = do_create_case(
            Report(title="路灯不亮", channel="api", grid_code=person.grid.code), actor=admin
        )
        Case.objects.filter(pk=case.pk).update(status=state)
        now = timezone.now()
        if relation == "summoned":
            Assignment.objects.create(
                case=case,
                department_id=person.department_id,
                role=AssignmentRole.WHISTLE,
                status=AssignmentStatus.PENDING,
                created_at=now,
                report_in_due_at=now + dt.timedelta(days=1),
            )
        elif relation == "handler" and (
            person.department_id or state in (Status.DISPATCHED, Status.IN_PROGRESS)
        ):
            pending = state == Status.DISPATCHED
            Assignment.objects.create(
                case=case,
                department_id=person.department_id,
                node=None if person.department_id else OrgNode.objects.get(code=person.code),
                role=AssignmentRole.LEAD,
                status=AssignmentStatus.PENDING if pending else AssignmentStatus.ACCEPTED,
                created_at=now,
            )
        return Case.objects.get(pk=case.pk)
    return None


def case_data(action: str, case: Case, person: Person, admin) -> dict:
    data = {"version": case.version, **ACTION_DATA.get(action, {})}
    if action == "dispatch":
        data["lead"] = {"department": Department.objects.order_by("code").first().code}
    elif action == "whistle":
        data["departments"] = [Department.objects.order_by("code").first().code]
    elif action == "merge":
        target = do_create_case(
            Report(title="路灯又不亮", channel="api", grid_code=person.grid.code), actor=admin
        )
        data["into"] = target.pk
    return data


def walk_case_verb(person: Person, action: str, admin) -> str | None:
    """Walk ``cases.<action>`` for ``person``: a failure message, or None."""
    verb = f"cases.{action}"
    case = place_case(person, action, admin)
    if case is None:
        if person.holds(verb):
            return f"{person.duty} holds {verb} but no case can be put where they take it"
        return None
    expected = person.holds(verb)
    status, detail = person.api.get(f"/api/v1/cases/{case.pk}/")
    if status == 200:
        listed = action in detail["allowed_actions"]
        if listed != expected:
            return f"{person.duty} {verb}: allowed_actions says {listed}, the table {expected}"
    elif expected:
        return f"{person.duty} holds {verb} but cannot see the case ({status})"
    data = case_data(action, case, person, admin)
    status, body = person.api.post(f"/api/v1/cases/{case.pk}/actions/{action}/", data)
    return judge(person, verb, status, body)


def judge(person: Person, verb: str, status: int, body=None) -> str | None:
    refused = status in (403, 404)
    if person.holds(verb) and refused:
        return f"{person.duty} holds {verb} but got {status} {body}"
    if not person.holds(verb) and not refused:
        return f"{person.duty} lacks {verb} but got {status} {body}"
    return None


# -- the other verbs: one probe each ----------------------------------------------------------


def _order(person: Person, admin, status=OrderStatus.OPEN) -> ServiceOrder:
    order = ServiceOrder.objects.create(
        kind="order", title="陪老人就医", node=person.grid, created_by=admin
    )
    if status != OrderStatus.OPEN:
        ServiceOrder.objects.filter(pk=order.pk).update(status=status, taker=admin)
    return order


def probe_report(person, admin, base):
    """``cases.report``: who holds it files cases as staff, only in their subtree: inside it
    201, outside it 400 ``out_of_scope``. Without it, a person reports as the public does,
    anywhere."""
    inside, body = person.api.post(
        "/api/v1/cases/", {"title": "井盖缺失", "channel": "api", "grid_code": person.grid.code}
    )
    if inside != 201:
        return f"{person.duty} cases.report: {inside} {body} in their own grid"
    elsewhere = (
        OrgNode.objects.exclude(grid_kind="")
        .exclude(code__startswith=person.code)
        .order_by("-code")
        .first()
    )
    if elsewhere is None:  # a seat at the root: everywhere is theirs
        return None
    status, body = person.api.post(
        "/api/v1/cases/", {"title": "井盖缺失", "channel": "api", "grid_code": elsewhere.code}
    )
    refused = status == 400 and body.get("code") == "out_of_scope"
    if refused != person.holds("cases.report"):
        return f"{person.duty} cases.report elsewhere: {status} {body}"
    return None


def probe_take(person, admin, base):
    order = _order(person, admin)
    status, body = person.api.post(f"/api/v1/volunteer/orders/{order.pk}/actions/take/", {})
    return judge(person, "volunteer.take", status, body)


def probe_manage(person, admin, base):
    order = _order(person, admin, OrderStatus.TAKEN)
    status, body = person.api.post(f"/api/v1/volunteer/orders/{order.pk}/actions/release/", {})
    return judge(person, "volunteer.manage", status, body)


def probe_post_for(person, admin, base):
    status, body = person.api.post(
        "/api/v1/volunteer/orders/",
        {"kind": "wish", "title": "想要一个书包", "grid_code": person.grid.code},
    )
    return judge(person, "volunteer.post_for", status, body)


def _resident(person) -> Resident:
    return Resident.objects.filter(household__grid=person.grid).exclude(user=person.user).first()


def probe_award(person, admin, base):
    rule = IncentiveRule.objects.filter(is_active=True).order_by("key").first()
    status, body = person.api.post(
        "/api/v1/credit/awards/", {"resident": _resident(person).pk, "rule": rule.key}
    )
    return judge(person, "credit.award", status, body)


def probe_keep_store(person, admin, base):
    code = person.code if not person.department_id else person.grid.code
    store = (
        OrgNode.objects.filter(code__in=ancestors_of(person.grid.code), level__kind=LevelKind.ADMIN)
        .filter(code__startswith=code)
        .order_by("code")
        .first()
    ) or OrgNode.objects.filter(level__kind=LevelKind.ADMIN).order_by("-code").first()
    status, body = person.api.post(
        "/api/v1/credit/items/", {"node_code": store.code, "name": "洗衣粉", "cost": 10}
    )
    return judge(person, "credit.keep_store", status, body)


def probe_reveal(person, admin, base):
    status, body = person.api.post(
        f"/api/v1/residents/{_resident(person).pk}/reveal/", {"field": "phone"}
    )
    return judge(person, "residents.reveal", status, body)


def probe_stats(person, admin, base):
    status, body = person.api.get(f"/api/v1/stats/kpis/?node={person.grid.code}")
    return judge(person, "analytics.view", status, body)


def probe_respond(person, admin, base):
    """``alerts.respond``: acknowledge an SOS alarm pressed in the person's grid."""
    from alerts.models import Device, Vendor
    from alerts.sos.actions import do_press

    vendor, _ = Vendor.objects.get_or_create(name="走查厂商", defaults={"key_prefix": "walk0000"})
    resident = Resident.objects.filter(household__grid=person.grid).order_by("pk").first()
    device, _ = Device.objects.get_or_create(
        vendor=vendor, device_id=f"WALK-{person.user.pk}", defaults={"resident": resident}
    )
    alarm = do_press(vendor, device.device_id, timezone.now() - dt.timedelta(minutes=5)).alarm
    status, body = person.api.post(f"/api/v1/alerts/alarms/{alarm.pk}/actions/acknowledge/", {})
    return judge(person, "alerts.respond", status, body)


def _page_probe(verb, path_of, form=None):
    def probe(person, admin, base):
        if person.pages is None:
            person.pages = page_session(base, person.user.username)
        return judge(person, verb, page(person.pages, base, path_of(), form))

    return probe


def probe_evaluate(person, admin, base):
    """``analytics.evaluate``: score a node just below the seat on the scoring page."""
    if person.pages is None:
        person.pages = page_session(base, person.user.username)
    child = OrgNode.objects.filter(parent__code=person.code).order_by("code").first()
    form = {"node": child.code, "score": "80", "comment": "走访记录齐全"} if child else None
    status = page(person.pages, base, f"/assessment/evaluate/?node={person.code}", form)
    return judge(person, "analytics.evaluate", status)


def probe_award_list(person, admin, base):
    """``analytics.award``: propose a year's 十佳 list at the seat (an unknown award in a
    preset without any is a 400: still allowed)."""
    from analytics.awards import awards

    if person.pages is None:
        person.pages = page_session(base, person.user.username)
    key = next(iter(awards()), "none")
    form = {"award": key, "year": "2026", "node": person.code}
    return judge(person, "analytics.award", page(person.pages, base, "/assessment/awards/", form))


def _mapping_path():
    # Loading the preset made the hotline systems; none where it has no hotline channel.
    system = HotlineSystem.objects.order_by("slug").first() or HotlineSystem.objects.create(
        slug="walk", name="测试热线", channel="api"
    )
    return f"/exchange/hotline/{system.slug}/mapping/"


def probe_report_on_demand(person, admin, base):
    """The on-demand report form at the person's seat: shown to who generates reports."""
    if person.pages is None:
        person.pages = page_session(base, person.user.username)
    status = page(person.pages, base, f"/reports/{person.code}/new/")
    return judge(person, "analytics.report", status)


_phones = iter(range(13700000000, 13800000000))


def probe_switch(person, admin, base):
    """``emergency.switch``: switch the seat's subtree (a 409 because another seat's switch
    covers it still says "allowed")."""
    code = person.grid.code if person.department_id else person.code
    status, body = person.api.post(
        "/api/v1/emergency/activations/", {"node": code, "reason": "应急演练"}
    )
    return judge(person, "emergency.switch", status, body)


def probe_command(person, admin, base):
    """``emergency.command``: a task for the called-up members of the person's grid."""
    from emergency.models import Activation, CallUp
    from members.models import Registration

    activation = Activation.objects.filter(node=person.grid, status="active").first()
    if activation is None:
        activation = Activation.objects.create(
            node=person.grid, reason="应急演练", started_at=timezone.now(), started_by=admin
        )
    member = Registration.objects.create(
        name="王强", phone=str(next(_phones)), employer="区应急管理局", home_grid=person.grid
    )
    CallUp.objects.create(
        activation=activation, registration=member, grid=person.grid, called_at=timezone.now()
    )
    status, body = person.api.post(
        f"/api/v1/emergency/activations/{activation.pk}/tasks/",
        {"grid": person.grid.code, "title": "排查低洼地带住户"},
    )
    return judge(person, "emergency.command", status, body)


def probe_members(person, admin, base):
    """``members.manage``: register someone at the person's grid."""
    body = {
        "name": "刘芳",
        "phone": str(next(_phones)),
        "employer": "区卫健委",
        "home_grid": person.grid.code,
    }
    status, answer = person.api.post("/api/v1/members/registrations/", body)
    return judge(person, "members.manage", status, answer)


def probe_patrol(person, admin, base):
    """``patrol.patrol``: start a patrol in the person's grid: 201, else 403."""
    status, body = person.api.post("/api/v1/patrol/patrols/", {"grid_code": person.grid.code})
    return judge(person, "patrol.patrol", status, body)


def probe_visit(person, admin, base):
    """``patrol.visit``: record a visit to a household of the seat's subtree (a building's
    own, for a building leader), else of their grid."""
    from org.models import Household

    household = (
        Household.objects.filter(code__startswith=person.code).order_by("code").first()
        or Household.objects.filter(grid=person.grid).order_by("code").first()
    )
    status, body = person.api.post(
        "/api/v1/patrol/visits/", {"household": household.pk, "outcome": "met"}
    )
    return judge(person, "patrol.visit", status, body)


def probe_plan_care(person, admin, base):
    status, body = person.api.post(
        "/api/v1/patrol/care/schedules/",
        {"resident": _resident(person).pk, "every_days": 7, "by": "grid_worker"},
    )
    return judge(person, "patrol.plan_care", status, body)


def probe_handle_warning(person, admin, base):
    """``alerts.handle``: acknowledge a warning of the person's grid through the API."""
    from alerts.models import Warning

    warning = Warning.objects.create(
        kind="walk.probe",
        subject=f"person={person.user.pk}",
        node=person.grid,
        title="巡查盲区",
        reason="走查",
        first_seen=dt.date(2026, 11, 1),
        last_seen=dt.date(2026, 11, 1),
        created_at=timezone.now(),
    )
    status, body = person.api.post(
        f"/api/v1/alerts/warnings/{warning.pk}/actions/acknowledge/", {"version": 1}
    )
    return judge(person, "alerts.handle", status, body)


PROBES = {
    "cases.report": probe_report,
    "emergency.switch": probe_switch,
    "emergency.command": probe_command,
    "members.manage": probe_members,
    "volunteer.take": probe_take,
    "volunteer.manage": probe_manage,
    "volunteer.post_for": probe_post_for,
    "credit.award": probe_award,
    "credit.keep_store": probe_keep_store,
    "residents.reveal": probe_reveal,
    "analytics.view": probe_stats,
    "exchange.import": _page_probe("exchange.import", lambda: "/exchange/hotline/import/"),
    "exchange.export": _page_probe("exchange.export", lambda: "/exchange/hotline/export/"),
    "exchange.configure": _page_probe("exchange.configure", _mapping_path),
    "exchange.import_catalogue": _page_probe(
        "exchange.import_catalogue", lambda: "/exchange/registers/catalogue/import/"
    ),
    "org.import_boundaries": _page_probe("org.import_boundaries", lambda: "/exchange/boundaries/"),
    "org.import_divisions": _page_probe(
        "org.import_divisions", lambda: "/exchange/registers/divisions/import/"
    ),
    "analytics.evaluate": probe_evaluate,
    "analytics.award": probe_award_list,
    "analytics.report": probe_report_on_demand,
    "patrol.patrol": probe_patrol,
    "alerts.handle": probe_handle_warning,
    "alerts.respond": probe_respond,
    "alerts.manage_devices": _page_probe("alerts.manage_devices", lambda: "/sos/devices/"),
    "residents.export": _page_probe(
        "residents.export",
        lambda: "/exchange/registers/residents/export/",
        {"file_format": "csv", "reveal": "on"},
    ),
    "patrol.visit": probe_visit,
    "patrol.plan_care": probe_plan_care,
}


def test_every_verb_has_a_probe():
    """A verb outside the case lifecycle needs a probe here to be walked."""
    assert set(VERBS) - CASE_VERBS - {"cases.report"} <= set(PROBES), sorted(
        set(VERBS) - CASE_VERBS - set(PROBES)
    )
    assert CASE_VERBS <= set(VERBS), sorted(CASE_VERBS - set(VERBS))


@pytest.fixture(params=EVERY_PRESET)
def preset_city(request, transactional_db, live_server):
    build_city(request.param)
    return request.param, live_server.url


def test_every_verb_of_every_duty_is_what_the_table_says(preset_city):
    key, base = preset_city
    admin = User.objects.get(username="demo-admin")
    failures, walked = [], 0
    persons = people(base)
    seated = set(RoleAssignment.objects.values_list("role__duty", flat=True))
    assert {p.duty for p in persons} == seated, key
    for person in persons:
        for verb in sorted(VERBS):
            if verb in CASE_VERBS and verb != "cases.report":
                failure = walk_case_verb(person, verb.split(".", 1)[1], admin)
            else:
                failure = PROBES[verb](person, admin, base)
            walked += 1
            if failure:
                failures.append(failure)
    assert walked == len(VERBS) * len(persons), (key, walked)
    assert not failures, f"{key}: " + "\n".join(failures)


def test_the_demo_volunteer_neither_refuses_dispatches_merges_nor_imports(live_city):
    """The finding that started the rulebook: 志愿服务员 (kind staff) was offered every
    triage verb on its grid's new cases, and its 不予受理 went through."""
    volunteer = Http(live_city).login("demo-volunteer")
    grid = User.objects.get(username="demo-grid").assignments.get().node
    case = do_create_case(
        Report(title="楼道堆放杂物", channel="api", grid_code=grid.code),
        actor=User.objects.get(username="demo-admin"),
    )
    status, detail = volunteer.get(f"/api/v1/cases/{case.pk}/")
    assert status == 200
    assert {"reject", "dispatch", "merge", "accept", "claim", "handle"}.isdisjoint(
        detail["allowed_actions"]
    ), detail["allowed_actions"]
    status, body = volunteer.post(
        f"/api/v1/cases/{case.pk}/actions/reject/", {"version": 1, "reason": "不受理"}
    )
    assert (status, body["code"]) == (403, "not_permitted")
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    pages = page_session(live_city, "demo-volunteer", "demo12345")
    assert page(pages, live_city, "/exchange/hotline/import/") == 403
