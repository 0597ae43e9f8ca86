"""The server-rendered pages: tree browser, grid, household and person, masking and reveal."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import Household, OrgNode, PartyOrg, RoleAssignment, RoleKind, User
from residents.masking import mask_id_number, mask_phone
from residents.models import AccessLog, Resident
from simulate.citygen import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("city", "db")


def _login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


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


def _resident_with_phone(grid):
    return Resident.objects.filter(household__grid=grid).exclude(phone="").first()


def _node_url(node):
    return reverse("org:node", args=[node.code])


# -- login ------------------------------------------------------------------------------------


def test_login_page_has_chinese_labels(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名" in body and "密码" in body and "网格化社区治理平台" in body


def test_login_rejects_a_bad_password_with_a_clear_message(client):
    response = client.post(reverse("login"), {"username": "demo-leader", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_lands_on_the_home_page(client):
    response = client.post(reverse("login"), {"username": "demo-leader", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("org:home")


def test_pages_need_a_login(client):
    for url in [reverse("org:home"), reverse("org:node", args=["360802"])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_is_a_post_from_the_header(client):
    _login(client, "demo-leader")
    body = client.get(reverse("org:home")).content.decode()
    assert re.search(r'<form method="post" action="/logout/"', body)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("org:home")).status_code == 302


# -- tree browser -----------------------------------------------------------------------------


def test_home_lists_the_users_top_nodes_with_counts(client):
    _login(client, "demo-leader")
    response = client.get(reverse("org:home"))
    assert response.status_code == 200
    body = response.content.decode()
    root = OrgNode.objects.get(parent=None)
    assert f'href="{_node_url(root)}"' in body
    assert f">{Household.objects.count()}<" in body
    leader = User.objects.get(username="demo-leader")
    assert leader.display_name in body and "总网格长" in body


def test_home_of_a_grid_worker_is_their_grid(client):
    _login(client, "demo-grid")
    body = client.get(reverse("org:home")).content.decode()
    assert f'href="{_node_url(_demo_grid())}"' in body
    assert f'href="{_node_url(_other_grid())}"' not in body


def test_node_page_shows_breadcrumbs_level_code_and_children(client):
    _login(client, "demo-leader")
    town = OrgNode.objects.filter(level__key="town").order_by("code").first()
    response = client.get(_node_url(town))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{_node_url(town.parent)}"' in body  # breadcrumb to the district
    assert town.level.name in body and town.code in body
    for child in town.children.all():
        assert f'href="{_node_url(child)}"' in body and child.name in body
    assert [child for child, _counts in response.context["rows"]] == list(
        town.children.order_by("code")
    )
    _child, counts = response.context["rows"][0]
    assert counts["households"] == Household.objects.filter(grid__parent=_child).count()


def test_node_page_queries_do_not_grow_with_the_number_of_children(client):
    _login(client, "demo-leader")
    towns = list(OrgNode.objects.filter(level__key="town").order_by("code"))
    sizes = {town.code: town.children.count() for town in towns}
    assert len(set(sizes.values())) > 1, "the tiny city should have towns of different sizes"
    queries = []
    for town in towns:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_node_url(town)).status_code == 200
        queries.append(len(captured))
    assert len(set(queries)) == 1, queries


def test_unknown_or_out_of_scope_node_is_a_404(client):
    _login(client, "demo-grid")
    assert client.get(reverse("org:node", args=["999999"])).status_code == 404
    assert client.get(reverse("org:node", args=["not-a-code"])).status_code == 404
    assert client.get(_node_url(_other_grid())).status_code == 404
    response = client.get(_node_url(_demo_grid().parent))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


# -- grid page --------------------------------------------------------------------------------


def test_grid_page_shows_map_staff_partners_party_branch_buildings_households(client):
    _login(client, "demo-grid")
    grid = _demo_grid()
    response = client.get(_node_url(grid))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="grid-map"' in body and "vendor/leaflet/leaflet.js" in body
    data = json.loads(re.search(r'id="grid-map-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert data["boundary"] == grid.geometry and data["tile_url"] == ""
    assert grid.get_grid_kind_display() in body
    staff = RoleAssignment.objects.filter(node=grid).exclude(role__kind=RoleKind.RESIDENT)
    for assignment in staff.select_related("role", "user"):
        assert assignment.role.name in body and assignment.user.display_name in body
    assert "居民</span>" not in body  # the resident's own role is not staff
    for pairing in grid.pairings.select_related("partner"):
        assert pairing.partner.name in body
    branch = PartyOrg.objects.get(node=grid, level__org_level=grid.level)
    assert branch.name in body
    for building in grid.buildings.all():
        assert building.name in body
    for household in Household.objects.filter(grid=grid):
        assert f'href="{reverse("residents:household", args=[household.code])}"' in body


def test_grid_households_are_paginated_fifty_a_page(client):
    _login(client, "demo-grid")
    grid = _demo_grid()
    existing = Household.objects.filter(grid=grid).count()
    Household.objects.bulk_create(
        Household(code=f"{grid.code}9{n:05d}", grid=grid, address=f"测试地址{n}号")
        for n in range(60)
    )
    total = existing + 60
    first = client.get(_node_url(grid))
    page = first.context["households_page"]
    assert page.paginator.count == total and len(page.object_list) == 50
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(_node_url(grid), {"page": 2})
    assert len(second.context["households_page"].object_list) == total - 50
    assert client.get(_node_url(grid), {"page": "x"}).status_code == 200


def test_department_staff_see_a_grid_but_none_of_its_households(client):
    _login(client, "demo-dept")
    grid = _demo_grid()
    response = client.get(_node_url(grid))
    assert response.status_code == 200
    assert response.context["households_page"].paginator.count == 0
    assert "/household/" not in response.content.decode()


def test_a_non_grid_node_has_no_map(client):
    _login(client, "demo-leader")
    body = client.get(_node_url(_demo_grid().parent)).content.decode()
    assert 'id="grid-map"' not in body and "leaflet.js" not in body


# -- household and person pages ---------------------------------------------------------------


def test_household_page_masks_phone_and_id_number(client):
    _login(client, "demo-grid")
    resident = _resident_with_phone(_demo_grid())
    household = resident.household
    response = client.get(reverse("residents:household", args=[household.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert household.address in body
    for member in household.residents.all():
        assert member.name in body
        assert f'href="{reverse("residents:person", args=[member.pk])}"' in body
        assert member.id_number not in body and mask_id_number(member.id_number) in body
        if member.phone:
            assert member.phone not in body and mask_phone(member.phone) in body
    assert "****" in body


def test_household_page_shows_tags(client):
    _login(client, "demo-leader")
    resident = Resident.objects.filter(tags__isnull=False).first()
    body = client.get(reverse("residents:household", args=[resident.household.code]))
    for tag in resident.tags.all():
        assert tag.name in body.content.decode()


def test_person_page_masks_and_links_to_the_household(client):
    _login(client, "demo-leader")
    resident = _resident_with_phone(_demo_grid())
    response = client.get(reverse("residents:person", args=[resident.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert resident.name in body and str(resident.birth_year) in body
    assert resident.get_gender_display() in body
    assert resident.phone not in body and mask_phone(resident.phone) in body
    assert resident.id_number not in body and mask_id_number(resident.id_number) in body
    assert f'href="{reverse("residents:household", args=[resident.household.code])}"' in body
    # A leader's role may not reveal: no button.
    assert reverse("residents:reveal", args=[resident.pk]) not in body


def test_grid_worker_gets_404_for_another_grids_pages(client):
    _login(client, "demo-grid")
    other = _other_grid()
    household = Household.objects.filter(grid=other).first()
    resident = Resident.objects.filter(household__grid=other).first()
    assert client.get(_node_url(other)).status_code == 404
    assert client.get(reverse("residents:household", args=[household.code])).status_code == 404
    assert client.get(reverse("residents:person", args=[resident.pk])).status_code == 404
    reveal = reverse("residents:reveal", args=[resident.pk])
    assert client.post(reveal, {"field": "phone"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_resident_sees_their_own_household_only(client):
    _login(client, "demo-resident")
    own = Resident.objects.get(user__username="demo-resident").household
    neighbour = Household.objects.filter(grid=own.grid).exclude(pk=own.pk).first()
    assert client.get(reverse("residents:household", args=[own.code])).status_code == 200
    assert client.get(reverse("residents:household", args=[neighbour.code])).status_code == 404


# -- reveal -----------------------------------------------------------------------------------


def test_reveal_by_a_community_secretary_is_logged_and_shows_the_full_number(client):
    _login(client, "demo-community")
    resident = _resident_with_phone(_demo_grid())
    page = client.get(reverse("residents:person", args=[resident.pk])).content.decode()
    assert reverse("residents:reveal", args=[resident.pk]) in page and "显示" in page
    response = client.post(
        reverse("residents:reveal", args=[resident.pk]), {"field": "phone"}, follow=True
    )
    assert response.redirect_chain == [(f"/person/{resident.pk}/#revealed-phone", 302)]
    body = response.content.decode()
    assert resident.phone in body and "已记录" in body
    assert resident.id_number not in body  # only the field asked for
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.actor.username, log.resident_id, log.field, log.channel) == (
        "demo-community",
        resident.pk,
        "phone",
        "page",
    )
    assert log.ip == "127.0.0.1"


def test_reveal_of_the_id_number(client):
    _login(client, "demo-community")
    resident = _resident_with_phone(_demo_grid())
    response = client.post(
        reverse("residents:reveal", args=[resident.pk]), {"field": "id_number"}, follow=True
    )
    assert resident.id_number in response.content.decode()
    assert AccessLog.objects.get().field == "id_number"


@pytest.mark.parametrize("username", ["demo-dept", "demo-leader", "demo-resident"])
def test_reveal_is_refused_to_roles_that_may_not_reveal(client, username):
    _login(client, username)
    resident = _resident_with_phone(_demo_grid())
    response = client.post(reverse("residents:reveal", args=[resident.pk]), {"field": "phone"})
    assert response.status_code in (403, 404)
    assert resident.phone not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_needs_a_post_and_a_known_field(client):
    _login(client, "demo-community")
    resident = _resident_with_phone(_demo_grid())
    url = reverse("residents:reveal", args=[resident.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"field": "name"}).status_code == 400
    assert client.post(url).status_code == 400
    assert not AccessLog.objects.exists()


def test_reveal_is_csrf_protected(db):
    from django.test import Client

    client = _login(Client(enforce_csrf_checks=True), "demo-community")
    resident = _resident_with_phone(_demo_grid())
    response = client.post(reverse("residents:reveal", args=[resident.pk]), {"field": "phone"})
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_favicon_ico_answers_with_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")


def test_times_carry_their_year_unless_it_is_this_year():
    import datetime as dt

    from django.template import Context, Template
    from django.utils import timezone

    template = Template("{{ at|short_time }}|{{ at|short_time:False }}")
    last_year = timezone.localtime().replace(year=timezone.localtime().year - 1, month=1, day=9)
    last_year = last_year.replace(hour=0, minute=0)
    expected = f"{last_year.year}-01-09 00:00|{last_year.year}-01-09"
    assert template.render(Context({"at": last_year})) == expected
    now = timezone.localtime()
    assert template.render(Context({"at": now})) == now.strftime("%m-%d %H:%M|%m-%d")
    assert template.render(Context({"at": now.astimezone(dt.UTC)})) == now.strftime(
        "%m-%d %H:%M|%m-%d"
    )
    assert template.render(Context({"at": None})) == "|"


def test_a_wrong_qr_link_says_which_grid_is_missing_in_plain_words(client):
    response = client.get("/r/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "没有这个网格" in body and "管辖范围" not in body
    assert "No OrgNode" not in client.get("/household/nope/").content.decode()
