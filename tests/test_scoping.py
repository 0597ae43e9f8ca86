"""Isolation: every role sees its own part of the tree and nothing else (404 outside)."""

import pytest

from org.models import Household, OrgNode, User
from residents.models import Resident
from tests.conftest import Http


@pytest.fixture
def http(live_city):
    return Http(live_city)


def _demo_grid():
    return User.objects.get(username="demo-grid").assignments.get().node


def _other_grid():
    return (
        OrgNode.objects.exclude(grid_kind="")
        .exclude(pk=_demo_grid().pk)
        .filter(households__isnull=False)
        .distinct()
        .first()
    )


def test_grid_worker_lists_only_their_grids_households(http):
    client = http.login("demo-grid")
    mine, other = _demo_grid(), _other_grid()
    status, page = client.get(f"/api/v1/org/households/?grid={mine.code}&limit=500")
    assert status == 200
    assert page["count"] == Household.objects.filter(grid=mine).count() > 0
    status, page = client.get("/api/v1/org/households/?limit=500")
    assert {h["grid_code"] for h in page["results"]} == {mine.code}
    status, body = client.get(f"/api/v1/org/households/?grid={other.code}")
    assert status == 404 and body["code"] == "not_found"


def test_grid_worker_cannot_open_another_grids_household_or_resident(http):
    client = http.login("demo-grid")
    other = _other_grid()
    household = Household.objects.filter(grid=other).first()
    resident = Resident.objects.filter(household__grid=other).first()
    assert client.get(f"/api/v1/org/households/{household.code}/")[0] == 404
    assert client.get(f"/api/v1/residents/{resident.pk}/")[0] == 404
    assert client.post(f"/api/v1/residents/{resident.pk}/reveal/", {"field": "phone"})[0] == 404
    assert client.get(f"/api/v1/org/nodes/{other.code}/")[0] == 404
    assert client.get(f"/api/v1/org/nodes/?parent={other.parent.code}")[0] == 404


def test_grid_worker_opens_their_own_household(http):
    client = http.login("demo-grid")
    household = Household.objects.filter(grid=_demo_grid()).first()
    status, body = client.get(f"/api/v1/org/households/{household.code}/")
    assert status == 200
    assert len(body["residents"]) == household.residents.count()


def test_counts_of_a_grid_worker_cover_only_their_grid(http):
    client = http.login("demo-grid")
    status, roots = client.get("/api/v1/org/nodes/")
    mine = _demo_grid()
    assert [node["code"] for node in roots] == [mine.code]
    assert roots[0]["counts"]["households"] == Household.objects.filter(grid=mine).count()


def test_department_staff_see_the_tree_but_no_residents(http):
    client = http.login("demo-dept")
    status, roots = client.get("/api/v1/org/nodes/")
    assert status == 200 and roots[0]["counts"]["grids"] == 12
    assert roots[0]["counts"]["households"] == 0 and roots[0]["counts"]["residents"] == 0
    status, page = client.get("/api/v1/org/households/")
    assert status == 200 and page["count"] == 0
    resident = Resident.objects.first()
    assert client.get(f"/api/v1/residents/{resident.pk}/")[0] == 404


def test_a_resident_sees_only_their_own_household(http):
    client = http.login("demo-resident")
    own = Resident.objects.get(user__username="demo-resident").household
    status, page = client.get("/api/v1/org/households/")
    assert status == 200 and [h["code"] for h in page["results"]] == [own.code]
    neighbour = Household.objects.filter(grid=own.grid).exclude(pk=own.pk).first()
    assert client.get(f"/api/v1/org/households/{neighbour.code}/")[0] == 404


def test_community_secretary_sees_every_grid_of_the_community(http):
    client = http.login("demo-community")
    community = User.objects.get(username="demo-community").assignments.get().node
    status, grids = client.get(f"/api/v1/org/nodes/?parent={community.code}")
    assert status == 200
    assert len(grids) == community.children.count() > 1
    status, page = client.get("/api/v1/org/households/?limit=500")
    assert page["count"] == Household.objects.filter(grid__parent=community).count()
    other_community = OrgNode.objects.filter(level=community.level).exclude(pk=community.pk).first()
    assert client.get(f"/api/v1/org/nodes/{other_community.code}/")[0] == 404
