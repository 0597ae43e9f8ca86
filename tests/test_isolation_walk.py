"""The access isolation walk (issue 5, part 4).

For every demo role and anonymous, every URL pattern of the project (found by walking the
resolver, so new apps are walked without editing this file) is requested with path
parameters taken from inside the role's scope and from outside it:

- an object outside the scope answers 404 (or the same refusal the view gives the role for
  objects inside it, when the view is closed to the role altogether);
- no answer (page, JSON, CSV/XLSX export) names a case, household or resident phone/ID
  outside the scope; API lists hold only in-scope items and their counts match the scope;
- a resident lists only their own cases; an Open311 key opens nothing under /api/v1/.
"""

import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from cases.models import Case, CasePhoto
from catalog.models import MatterCategory
from credit.models import CreditAccount, Redemption, StoreItem
from open311.models import ApiClient
from org.codes import any_subtree_q
from org.models import Household, OrgNode, User
from org.scoping import scope_prefixes
from outbox.models import InboxMessage
from participation.models import ServiceOrder
from patrol.models import CareSchedule, Patrol, Visit
from residents.models import Resident
from tests.conftest import DEMO_USERS, build_city

ANONYMOUS = "anonymous"
ROLES = [*DEMO_USERS, ANONYMOUS]
NOW = "2026-11-20T18:00:00+08:00"
# Views that must never open for a logged-out visitor; anything else under these
# prefixes answers a redirect to the login page, 401/403 or 404.
REFUSALS = {301, 302, 400, 401, 403, 404, 405}
DIGITS = re.compile(r"(?<!\d)\d{6,40}(?!\d)")
CASE_NUMBER = re.compile(r"[A-Z]{1,6}-\d{8}-\d{4,8}")
# Path parameters that never name an object of the governed tree.
FIXED = {"fmt": "json", "rest": "nothing.json", "url": "nothing/", "action": "urge"}
FIXED["action_name"] = "urge"


@dataclass
class Walk:
    role: str
    checked: set = field(default_factory=set)
    requests: int = 0
    exports: int = 0
    opened: set = field(default_factory=set)  # view names that answered 200 inside the scope
    problems: list = field(default_factory=list)

    def fail(self, url, message):
        self.problems.append(f"{self.role} {url}: {message}")


# --- the city -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_city()
        call_command("make_cases", "--days=10", "--per-day=6", "--seed=1", f"--now={NOW}")
        call_command("make_participation", "--seed=1")
        call_command("make_patrols", "--seed=1", "--days=3")
        call_command("make_visits", "--seed=1")
        job = make_import_job()
        yield
        job.source.delete(save=False)
        call_command("flush", interactive=False, verbosity=0)


def make_import_job():
    """An import job of the admin's, so the job URLs have an object outside other scopes."""
    from django.core.files.base import ContentFile

    from exchange.models import ImportJob, ImportKind

    admin = User.objects.get(username="demo-admin")
    job = ImportJob(kind=ImportKind.RESIDENTS, user=admin, source_name="walk.csv")
    job.source.save("walk.csv", ContentFile("户号,姓名\n".encode()), save=False)
    job.save()
    return job


# --- the patterns ---------------------------------------------------------------------


def iter_patterns(patterns=None, prefix="", namespace=None):
    """(route text, view name, callback) of every pattern, through every include."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name or "", pattern.callback


_PARAM = re.compile(
    r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>(?:[^()]|\([^)]*\))*\)"
)


def params_of(route: str) -> list[str]:
    return [m.group("name") or m.group("rname") for m in _PARAM.finditer(route)]


def build_url(route: str, values: dict) -> str:
    def fill(match):
        return str(values[match.group("name") or match.group("rname")])

    url = _PARAM.sub(fill, route)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + url


# --- what a role may see --------------------------------------------------------------


class Scope:
    def __init__(self, user):
        self.user = user
        anon = user is None
        self.cases = (
            set() if anon else set(Case.objects.restrict(user).values_list("pk", flat=True))
        )
        self.households = (
            set() if anon else set(Household.objects.restrict(user).values_list("code", flat=True))
        )
        self.residents = (
            set() if anon else set(Resident.objects.restrict(user).values_list("pk", flat=True))
        )
        self.nodes = (
            set() if anon else set(OrgNode.objects.restrict(user).values_list("code", flat=True))
        )
        self.governed = {
            kind: set() if anon else set(model.objects.restrict(user).values_list("pk", flat=True))
            for kind, model in GOVERNED.items()
        }
        published = Case.objects.filter(is_published=True).values_list("pk", flat=True)
        public_clients = Case.objects.filter(
            open311_submission__client__requests_public=True
        ).values_list("pk", flat=True)
        self.public_cases = set(published) | set(public_clients)
        numbers = dict(Case.objects.values_list("pk", "number"))
        self.foreign_numbers = {
            number for pk, number in numbers.items() if pk not in self.cases | self.public_cases
        }
        self.foreign_households = set(Household.objects.values_list("code", flat=True)) - (
            self.households
        )
        foreign_residents = Resident.objects.exclude(pk__in=self.residents)
        self.foreign_secrets = {
            value
            for pair in foreign_residents.values_list("phone", "id_number")
            for value in pair
            if value and len(value) >= 6
        }
        foreign_cases = Case.objects.exclude(pk__in=self.cases).exclude(reporter_phone="")
        self.foreign_secrets |= set(foreign_cases.values_list("reporter_phone", flat=True))

    # One object inside and one outside the scope, per kind; None when there is none.
    def pick(self, kind):
        if kind == "case":
            inside = Case.objects.filter(pk__in=self.cases).order_by("pk").first()
            outside = (
                Case.objects.exclude(pk__in=self.cases | self.public_cases).order_by("pk").first()
            )
            return _pk(inside), _pk(outside)
        if kind == "household":
            inside = min(self.households, default=None)
            outside = min(self.foreign_households, default=None)
            return inside, outside
        if kind == "resident":
            inside = Resident.objects.filter(pk__in=self.residents).order_by("pk").first()
            outside = Resident.objects.exclude(pk__in=self.residents).order_by("pk").first()
            return _pk(inside), _pk(outside)
        if kind == "node":
            inside = max(self.nodes, key=len, default=None)
            outside = (
                OrgNode.objects.exclude(code__in=self.nodes)
                .exclude(grid_kind="")
                .order_by("code")
                .values_list("code", flat=True)
                .first()
            )
            return inside, outside
        if kind in GOVERNED:
            model, mine = GOVERNED[kind], self.governed[kind]
            inside = model.objects.filter(pk__in=mine).order_by("pk").first()
            outside = model.objects.exclude(pk__in=mine).order_by("pk").first()
            return _pk(inside), _pk(outside)
        if kind == "inbox":
            if self.user is None:
                return None, _pk(InboxMessage.objects.first())
            mine = InboxMessage.objects.filter(user=self.user).first()
            return _pk(mine), _pk(InboxMessage.objects.exclude(user=self.user).first())
        if kind == "photo":
            inside = CasePhoto.objects.filter(case_id__in=self.cases).first()
            outside = CasePhoto.objects.exclude(case_id__in=self.cases).first()
            return _pk(inside), _pk(outside)
        if kind == "ticket":
            refs = Case.objects.exclude(external_ref="")
            inside = refs.filter(pk__in=self.cases).values_list("external_ref", flat=True).first()
            outside = refs.exclude(pk__in=self.cases).values_list("external_ref", flat=True)
            return inside, outside.first()
        if kind == "job":
            from exchange.models import ImportJob

            inside = ImportJob.objects.filter(user=self.user).first() if self.user else None
            outside = ImportJob.objects.exclude(user=self.user).first() if self.user else None
            if self.user is not None and self.user.is_superuser:
                outside = None  # a superuser may open every job
            return _pk(inside), _pk(outside)
        raise AssertionError(kind)


def _pk(obj):
    return obj.pk if obj is not None else None


# Governed objects beyond cases and people, by kind: their model, and the view names
# (pages and API) whose ``pk`` names one.
GOVERNED = {
    "visit": Visit,
    "care": CareSchedule,
    "order": ServiceOrder,
    "account": CreditAccount,
    "item": StoreItem,
    "redemption": Redemption,
    "patrol": Patrol,
}
GOVERNED_VIEWS = {
    "patrol:visit_detail": "visit",
    "api:patrol-visit": "visit",
    "patrol:care_": "care",
    "api:patrol-care-schedule": "care",
    "participation:": "order",
    "api:volunteer-order": "order",
    "api:credit-account": "account",
    "api:credit-item": "item",
    "credit:restock": "item",
    "api:credit-redemption": "redemption",
    "credit:settle": "redemption",
    "credit:award": "resident",
    "patrol:detail": "patrol",
    "patrol:end": "patrol",
    "patrol:finding": "patrol",
    "api:patrol-": "patrol",
}


def object_kind(view_name: str, param: str) -> str | None:
    """Which kind of governed object a path parameter names, or None (public or fixed)."""
    if param == "code":
        if view_name in ("org:node", "api:node-detail"):
            return "node"
        if view_name in ("residents:household", "api:household-detail"):
            return "household"
        return None  # a public community page, a service code
    if param == "pk":
        for prefix, kind in GOVERNED_VIEWS.items():
            if view_name.startswith(prefix):
                return kind
        if view_name.startswith(("residents:", "api:resident")):
            return "resident"
        if view_name == "cases:read":
            return "inbox"
        if view_name == "cases:photo":
            return "photo"
        if view_name.startswith(("cases:", "api:case")):
            return "case"
        if view_name.startswith("exchange:job"):
            return "job"
        return None
    if param == "ticket_no":
        return "ticket"
    return None


def public_value(view_name: str, param: str):
    """A value for a parameter that names no governed object."""
    if param in FIXED:
        return FIXED[param]
    if param == "grid_code":
        return (
            OrgNode.objects.exclude(grid_kind="").order_by("code").values_list("code", flat=True)[0]
        )
    if param == "token":
        return Case.objects.order_by("pk").values_list("tracking_token", flat=True)[0]
    if param == "code" and view_name == "open311:service":
        return MatterCategory.objects.values_list("code", flat=True).first() or "x"
    if param == "code":
        return OrgNode.objects.filter(parent__parent__isnull=False).values_list("code", flat=True)[
            0
        ]
    if param == "request_id":
        return Case.objects.order_by("pk").values_list("number", flat=True)[0]
    if param == "kind":
        from exchange.registers import REGISTERS

        return next(iter(REGISTERS))
    if param == "slug":
        from exchange.models import HotlineSystem

        return HotlineSystem.objects.values_list("slug", flat=True).first() or "x"
    if param == "object_id":
        return "1"
    return "1"


# --- reading answers ------------------------------------------------------------------


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an XLSX export
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as book:
                return " ".join(
                    book.read(name).decode(errors="replace")
                    for name in book.namelist()
                    if name.endswith(".xml")
                )
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", errors="replace")


def leaks(scope: Scope, text: str, *, allowed_numbers=()) -> list[str]:
    found = []
    numbers = set(CASE_NUMBER.findall(text)) & scope.foreign_numbers - set(allowed_numbers)
    if numbers:
        found.append(f"case numbers outside the scope: {sorted(numbers)[:5]}")
    digits = set(DIGITS.findall(text))
    households = digits & scope.foreign_households
    if households:
        found.append(f"household codes outside the scope: {sorted(households)[:5]}")
    secrets = digits & scope.foreign_secrets
    if secrets:
        found.append(f"phones/ID numbers outside the scope: {len(secrets)}")
    return found


def check_api_list(walk: Walk, scope: Scope, url: str, view_name: str, payload) -> None:
    items = payload.get("results") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, dict):
            continue
        if view_name == "api:case-list" and item.get("id") not in scope.cases:
            walk.fail(url, f"lists case {item.get('number')} outside the scope")
        if view_name == "api:household-list" and item.get("code") not in scope.households:
            walk.fail(url, f"lists household {item.get('code')} outside the scope")
        for prefix, kind in GOVERNED_VIEWS.items():
            listed = view_name == f"{prefix}-list"
            if listed and item.get("id") not in scope.governed[kind]:
                walk.fail(url, f"lists {kind} {item.get('id')} outside the scope")
        if view_name == "api:node-list":
            if item.get("code") not in scope.nodes:
                walk.fail(url, f"lists node {item.get('code')} outside the scope")
            check_counts(walk, scope, url, item)


def check_counts(walk: Walk, scope: Scope, url: str, node: dict) -> None:
    counts, code = node.get("counts") or {}, node["code"]
    households = sum(1 for h in scope.households if h.startswith(code))
    residents = (
        Resident.objects.filter(pk__in=scope.residents)
        .filter(any_subtree_q([code], "household__code"))
        .count()
    )
    if counts.get("households", 0) > households or counts.get("residents", 0) > residents:
        walk.fail(url, f"counts of {code} exceed the scope: {counts}")


# --- the walk -------------------------------------------------------------------------


def client_for(role: str) -> tuple[Client, User | None]:
    client = Client()
    if role == ANONYMOUS:
        return client, None
    user = User.objects.get(username=role)
    client.force_login(user)
    return client, User.objects.get(pk=user.pk)


def request(walk, client, method, url, data=None):
    walk.requests += 1
    if method == "GET":
        return client.get(url, data or {}, HTTP_ACCEPT="application/json, text/html")
    return client.post(url, data or {})


def walk_role(role: str) -> Walk:
    walk = Walk(role)
    client, user = client_for(role)
    scope = Scope(user)
    for route, view_name, callback in iter_patterns():
        names = params_of(route)
        values_in, values_out, has_scope = {}, {}, False
        for name in names:
            kind = object_kind(view_name, name)
            if kind is None:
                values_in[name] = values_out[name] = public_value(view_name, name)
                continue
            has_scope = True
            inside, outside = scope.pick(kind)
            values_in[name], values_out[name] = inside, outside
        walk.checked.add(route)
        if not has_scope:
            url = build_url(route, values_in)
            if _resolves_elsewhere(url, callback):
                continue
            response = request(walk, client, "GET", url)
            check_answer(walk, scope, url, view_name, response)
            if response.status_code == 200 and not url.startswith("/admin/"):
                probe_filters(walk, scope, client, url, view_name)
            if "export" in view_name:
                for kind in export_kinds(names):
                    values = {**values_in, "kind": kind} if kind else values_in
                    check_export(walk, scope, client, build_url(route, values))
            continue
        inside_status = None
        if all(v is not None for v in values_in.values()):
            url = build_url(route, values_in)
            response = request(walk, client, "GET", url)
            inside_status = response.status_code
            if inside_status == 200:
                walk.opened.add(view_name)
            check_answer(walk, scope, url, view_name, response)
        if any(v is None for v in values_out.values()):
            continue
        url = build_url(route, values_out)
        for method in ("GET", "POST"):
            response = request(walk, client, method, url)
            status = response.status_code
            if status >= 500:
                walk.fail(url, f"{method} answered {status}")
            elif status == 405:  # the method does not exist here: it reveals nothing
                continue
            elif role == ANONYMOUS:
                if status not in REFUSALS or (status in (301, 302) and not to_login(response)):
                    walk.fail(url, f"{method} by a visitor answered {status}")
            elif status != 404 and not (
                status in REFUSALS and inside_status is not None and inside_status in REFUSALS
            ):
                walk.fail(url, f"{method} of an object outside the scope answered {status}")
            if status == 200:
                for leak in leaks(scope, body_text(response)):
                    walk.fail(url, f"{method}: {leak}")
    return walk


def to_login(response) -> bool:
    return "login" in response.get("Location", "")


FILTER_PARAMS = ("grid", "parent", "node", "community", "org_code", "household")


def probe_filters(walk, scope, client, url, view_name) -> None:
    """A list filtered by a node outside the scope shows nothing outside it either."""
    _, outside = scope.pick("node")
    if outside is None:
        return
    for param in FILTER_PARAMS:
        response = request(walk, client, "GET", url, {param: outside})
        check_answer(walk, scope, f"{url}?{param}={outside}", view_name, response)


def _resolves_elsewhere(url, callback) -> bool:
    try:
        return resolve(url.split("?")[0]).func is not callback
    except Resolver404:
        return True


def check_answer(walk, scope, url, view_name, response) -> None:
    if response.status_code >= 500:
        walk.fail(url, f"answered {response.status_code}")
        return
    if response.status_code != 200:
        return
    allowed = ()
    if view_name.startswith(("cases:track", "cases:rate", "open311:")):
        # The tracking token is the capability: its own case may be shown to anyone.
        allowed = {Case.objects.get(tracking_token=public_value(view_name, "token")).number}
    for leak in leaks(scope, body_text(response), allowed_numbers=allowed):
        walk.fail(url, leak)
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            payload = json.loads(response.content)
        except ValueError:
            return
        check_api_list(walk, scope, url, view_name, payload)


def export_kinds(names) -> list:
    if "kind" not in names:
        return [None]
    from exchange.registers import REGISTERS

    return list(REGISTERS)


def check_export(walk, scope, client, url) -> None:
    """POST the export form (CSV) and read the file as any other answer."""
    from exchange.models import HotlineSystem

    data = {"file_format": "csv"}
    system = HotlineSystem.objects.first()
    if system is not None:
        data["system"] = system.pk
    response = request(walk, client, "POST", url, data)
    if response.status_code >= 500:
        walk.fail(url, f"export answered {response.status_code}")
    if response.status_code == 200 and "attachment" in response.get("Content-Disposition", ""):
        walk.exports += 1
        for leak in leaks(scope, body_text(response)):
            walk.fail(url, f"export: {leak}")


# --- the tests ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_keeps_each_role_inside_its_scope(world, role):
    walk = walk_role(role)
    patterns = {route for route, _, _ in iter_patterns()}
    assert walk.checked == patterns
    print(
        f"\n{role}: {len(patterns)} URL patterns, {walk.requests} requests, "
        f"{walk.exports} exports read"
    )
    if role in ("demo-grid", "demo-community", "demo-street", "demo-admin"):
        # The inside half of the walk really opened the objects.
        assert {"cases:detail", "api:case-detail", "residents:person"} <= walk.opened
        assert {"participation:detail", "api:volunteer-order-detail"} <= walk.opened
        assert walk.exports > 0
    assert not walk.problems, "\n".join(walk.problems)


def test_the_walk_size():
    patterns = {route for route, _, _ in iter_patterns()}
    print(f"\nisolation walk: {len(patterns)} URL patterns × {len(ROLES)} roles")
    assert len(patterns) > 50


@pytest.mark.django_db
def test_the_walk_sees_a_leak_when_there_is_one(world):
    """The detector itself: the admin's case list, judged by a grid worker's scope."""
    admin, _ = client_for("demo-admin")
    page = body_text(admin.get("/cases/"))
    households = body_text(admin.get("/api/v1/org/households/?limit=50"))
    grid_worker = Scope(User.objects.get(username="demo-grid"))
    assert any("case numbers" in leak for leak in leaks(grid_worker, page))
    assert any("household codes" in leak for leak in leaks(grid_worker, households))
    for url, view_name in [
        ("/api/v1/volunteer/orders/", "api:volunteer-order-list"),
        ("/api/v1/credit/accounts/", "api:credit-account-list"),
        ("/api/v1/credit/redemptions/", "api:credit-redemption-list"),
    ]:
        walk = Walk("demo-grid")
        check_api_list(walk, grid_worker, url, view_name, admin.get(url).json())
        assert walk.problems, url


@pytest.mark.django_db
def test_a_resident_lists_only_their_own_cases(world):
    client, user = client_for("demo-resident")
    response = client.get("/api/v1/cases/?limit=500")
    assert response.status_code == 200
    household = user.resident.household.code
    for item in response.json()["results"]:
        case = Case.objects.get(pk=item["id"])
        assert case.reporter_user_id == user.pk or case.org_code.startswith(household)
    foreign = Case.objects.exclude(reporter_user=user).first()
    assert client.get(f"/api/v1/cases/{foreign.pk}/").status_code == 404
    assert client.get(f"/cases/{foreign.pk}/").status_code == 404


@pytest.mark.django_db
def test_an_open311_key_opens_nothing_under_api_v1(world):
    api_client = ApiClient(name="Walk", slug="walk")
    raw = api_client.issue_key()
    api_client.save()
    client = Client()
    for url in ("/api/v1/cases/", "/api/v1/org/nodes/", "/api/v1/org/households/"):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in (401, 403), url
    response = client.get("/api/v1/hotline/orders/x/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code in (401, 403, 404)


@pytest.mark.django_db
def test_a_hotline_key_opens_only_the_hotline_push_api(world):
    from exchange.models import HotlineApiKey, HotlineSystem

    system = HotlineSystem.objects.first() or HotlineSystem.objects.create(
        name="12345", slug="hotline_12345"
    )
    key = HotlineApiKey(system=system, name="walk", user=User.objects.get(username="demo-grid"))
    raw = key.set_new_key()
    key.save()
    client = Client()
    for header in (f"Api-Key {raw}", f"Bearer {raw}"):
        for url in ("/api/v1/cases/", "/api/v1/org/households/", "/api/v1/org/nodes/"):
            response = client.get(url, HTTP_AUTHORIZATION=header)
            assert response.status_code in (401, 403), (header, url)
    response = client.get("/open311/v2/requests.json", {"api_key": raw})
    assert response.status_code in (400, 403), response.content
    response = client.get("/api/v1/hotline/orders/none/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code in (200, 400, 404)


@pytest.mark.django_db
def test_the_scopes_of_the_demo_roles_differ(world):
    """Guard for the walk itself: inside and outside objects exist for the staff roles."""
    for role in ("demo-grid", "demo-community", "demo-street"):
        user = User.objects.get(username=role)
        scope = Scope(user)
        assert scope.cases and scope.foreign_numbers, role
        assert scope.households and scope.foreign_households, role
        assert scope_prefixes(user, personal=True)
