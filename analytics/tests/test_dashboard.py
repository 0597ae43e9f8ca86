"""The dashboards' pages and JSON: who sees which node (404 outside what one may see, 403
without ``analytics.view``), what the JSON holds, the supervision lists, the 大屏, the
home page's overview and the header's 看板 entry."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.dashboard import CHOICES
from analytics.kpis import KPI_NAMES, THREE_RATES
from cases.actions import Report, do_create_case
from cases.context_processors import nav_entries
from org.models import OrgNode, User

pytestmark = pytest.mark.django_db


def _login(client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def _grid_of(username) -> OrgNode:
    return User.objects.get(username=username).assignments.get().node


def _file(grid, title="路灯不亮", *, at=None, due_at=None):
    admin = User.objects.get(username="demo-admin")
    return do_create_case(
        Report(title=title, grid_code=grid.code, due_at=due_at), actor=admin, at=at
    )


def _data(client, code, **params):
    response = client.get(reverse("analytics:dashboard_data", args=[code]), params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


# -- who sees what ---------------------------------------------------------------------------


def test_the_dashboard_home_opens_the_users_top_node(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    response = client.get(reverse("analytics:dashboard_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("analytics:dashboard", args=[root.code])

    _login(client, "demo-grid")
    response = client.get(reverse("analytics:dashboard_home"))
    assert response["Location"] == reverse("analytics:dashboard", args=[_grid_of("demo-grid").code])


@pytest.mark.parametrize("username", ["demo-resident", "demo-dept", "demo-volunteer"])
def test_people_without_the_verb_get_403(city, client, username):
    _login(client, username)
    assert client.get(reverse("analytics:dashboard_home")).status_code == 403
    grid = _grid_of("demo-grid")
    for name in ("analytics:dashboard", "analytics:dashboard_data", "analytics:screen"):
        assert client.get(reverse(name, args=[grid.code])).status_code in (403, 404), name


def test_a_grid_worker_sees_only_their_grid(city, client):
    _login(client, "demo-grid")
    grid = _grid_of("demo-grid")
    assert client.get(reverse("analytics:dashboard", args=[grid.code])).status_code == 200
    sibling = OrgNode.objects.filter(parent=grid.parent).exclude(pk=grid.pk).first()
    for code in (sibling.code, grid.parent.code, grid.parent.parent.code):
        for name in ("analytics:dashboard", "analytics:dashboard_data", "analytics:screen"):
            assert client.get(reverse(name, args=[code])).status_code in (403, 404), (name, code)


def test_a_community_secretary_sees_their_community_not_the_next(city, client):
    _login(client, "demo-community")
    community = _grid_of("demo-grid").parent
    assert client.get(reverse("analytics:dashboard", args=[community.code])).status_code == 200
    other = OrgNode.objects.filter(parent=community.parent).exclude(pk=community.pk).first()
    assert client.get(reverse("analytics:dashboard", args=[other.code])).status_code == 404
    assert client.get(reverse("analytics:dashboard", args=["99999999"])).status_code == 404


def test_anonymous_people_are_sent_to_log_in(city, client):
    response = client.get(reverse("analytics:dashboard_home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- the JSON ----------------------------------------------------------------------------------


def test_the_json_holds_the_three_rates_the_children_and_the_charts(city, client):
    _login(client, "demo-community")
    community = _grid_of("demo-grid").parent
    grid = _grid_of("demo-grid")
    _file(grid)
    _file(grid, "楼道堆物")
    data = _data(client, community.code, kpi="received")
    assert [card["field"] for card in data["three"]] == [*THREE_RATES, "score"]
    assert data["three"][0]["label"] == str(KPI_NAMES["response_rate"])
    received = next(card for card in data["headline"] if card["field"] == "received")
    assert received["value"] == 2 and received["display"] == "2"
    children = {row["code"] for row in data["children"]}
    assert children == set(OrgNode.objects.filter(parent=community).values_list("code", flat=True))
    # Sorted by the chosen KPI (received), the grid with the cases first, and coloured.
    assert data["children"][0]["code"] == grid.code
    assert data["children"][0]["value"] == 2
    assert all(row["colour"].startswith("#") for row in data["children"])
    assert data["legend"]
    assert data["kpi"] == {"field": "received", "label": str(KPI_NAMES["received"]), "direction": 0}
    assert sum(value or 0 for value in data["charts"]["trend"]["received"]) == 2
    assert set(data["charts"]) == {"trend", "group", "channel", "tier", "slowest"}
    assert data["labels"]["received"] == str(KPI_NAMES["received"])
    assert data["period"]["preset"] == "month"


def test_a_grids_json_has_its_own_figures_and_no_children(city, client):
    _login(client, "demo-grid")
    grid = _grid_of("demo-grid")
    _file(grid)
    data = _data(client, grid.code)
    assert data["node"]["is_grid"] is True
    assert data["children"] == []
    assert next(c for c in data["headline"] if c["field"] == "received")["value"] == 1


def test_a_period_outside_the_cases_counts_nothing(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    _file(_grid_of("demo-grid"))
    data = _data(client, root.code, **{"from": "2024-01-01", "to": "2024-03-31"})
    assert data["period"] == {
        "from": "2024-01-01",
        "to": "2024-03-31",
        "preset": "custom",
        "label": "2024-01-01 至 2024-03-31",
    }
    assert next(c for c in data["headline"] if c["field"] == "received")["value"] == 0
    assert data["charts"]["trend"]["keys"] == ["2024-01", "2024-02", "2024-03"]


def test_an_unknown_kpi_or_a_bad_range_falls_back_instead_of_failing(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    data = _data(client, root.code, kpi="drop table", **{"from": "2025-13-01", "to": "x"})
    assert data["kpi"]["field"] == "score"
    assert data["period"]["preset"] == "month"
    page = client.get(
        reverse("analytics:dashboard", args=[root.code]), {"from": "2026-05-01", "to": "2020-01-01"}
    )
    assert page.status_code == 200
    assert "开始日期晚于结束日期" in page.content.decode()


def test_every_kpi_choice_renders(city, client):
    _login(client, "demo-street")
    street = _grid_of("demo-grid").parent.parent
    _file(_grid_of("demo-grid"))
    for kpi in CHOICES:
        data = _data(client, street.code, kpi=kpi)
        assert data["kpi"]["field"] == kpi
        assert len(data["children"]) == OrgNode.objects.filter(parent=street).count()


# -- the supervision lists --------------------------------------------------------------------


def test_red_and_supervised_cases_of_the_subtree_only_are_listed(city, client):
    _login(client, "demo-community")
    grid = _grid_of("demo-grid")
    community = grid.parent
    now = timezone.now()
    late = _file(grid, "井盖缺失", at=now - timedelta(days=3), due_at=now - timedelta(days=1))
    other_community = OrgNode.objects.filter(parent=community.parent).exclude(pk=community.pk)
    other_grid = OrgNode.objects.filter(parent=other_community.first()).first()
    _file(other_grid, "别处的超期件", at=now - timedelta(days=3), due_at=now - timedelta(days=1))
    data = _data(client, community.code)
    lists = {item["key"]: item for item in data["supervision"]}
    assert set(lists) >= {"red", "yellow", "supervised"}
    assert lists["red"]["count"] == 1
    assert lists["red"]["rows"][0]["title"] == "井盖缺失"
    assert lists["red"]["rows"][0]["url"] == reverse("cases:detail", args=[late.pk])
    assert lists["red"]["rows"][0]["tone"] == "red"


# -- figures and watch lists from other apps ---------------------------------------------------


def test_figures_and_watch_lists_come_from_the_registry(city, client, monkeypatch):
    from gridgov import figures

    monkeypatch.setattr(figures, "_FIGURES", dict(figures._FIGURES))
    monkeypatch.setattr(figures, "_WATCH_LISTS", dict(figures._WATCH_LISTS))
    figures.register_figure("test.count", "测试数", lambda code: len(code), order=1)
    figures.register_figure("test.none", "没有的", lambda code: None, order=2)
    pressed = timezone.make_aware(datetime.datetime(2026, 11, 30, 19, 32))
    figures.register_watch_list(
        "test.sos",
        "SOS 求助",
        lambda code, limit: [
            {"title": "独居老人求助", "url": "/", "when": None, "tone": "red"},
            # A row says what its time is (a press, not a deadline); without, 时限.
            {"title": "再次求助", "url": "/", "when": pressed, "tone": "red", "when_label": "求助"},
        ],
    )
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    data = _data(client, root.code)
    keys = [item["key"] for item in data["figures"]]
    assert keys[0] == "test.count" and "test.none" not in keys
    assert data["figures"][0]["value"] == len(root.code)
    # participation's and credit's figures are there too (registered in their ready()).
    assert {"participation.volunteers", "credit.accounts"} <= set(keys)
    sos = next(item for item in data["supervision"] if item["key"] == "test.sos")
    assert sos["rows"][0]["title"] == "独居老人求助" and sos["count"] == 2
    assert [row["when_label"] for row in sos["rows"]] == ["时限", "求助"]
    assert sos["rows"][1]["when"] == "11-30 19:32"
    page = client.get(reverse("analytics:dashboard", args=[root.code])).content.decode()
    assert "求助 11-30 19:32" in page and "时限 11-30 19:32" not in page


def test_the_volunteer_figure_counts_the_subtrees_volunteers(city):
    from participation.figures import count_volunteers

    grid = _grid_of("demo-volunteer")
    root = OrgNode.objects.get(parent=None)
    assert count_volunteers(grid.code) >= 1
    assert count_volunteers(root.code) >= count_volunteers(grid.code)


# -- pages ---------------------------------------------------------------------------------------


def test_the_page_embeds_its_data_and_map_and_links_the_screen(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    response = client.get(reverse("analytics:dashboard", args=[root.code]), {"p": "year"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="dash-data"' in body and 'id="dash-map-data"' in body
    assert reverse("analytics:screen", args=[root.code]) in body
    assert "echarts.common.min.js" in body
    map_data = response.context["map_data"]
    assert {s["code"] for s in map_data["shapes"]} == set(
        OrgNode.objects.filter(parent=root).values_list("code", flat=True)
    )
    assert response.context["period"].start == datetime.date(timezone.localdate().year, 1, 1)


def test_the_screen_has_no_header_and_refreshes_itself(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    response = client.get(
        reverse("analytics:screen", args=[root.code]), {"every": "1", "p": "year"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "site-header" not in body and 'id="dash-settings"' in body
    settings = response.context["settings"]
    assert settings["every"] == 2  # never more often than SCREEN_REFRESH_MIN
    assert settings["data_url"] == reverse("analytics:dashboard_data", args=[root.code]) + "?p=year"


def test_the_home_page_shows_the_leaders_three_rates_and_the_way_to_the_dashboard(city, client):
    _login(client, "demo-leader")
    root = OrgNode.objects.get(parent=None)
    body = client.get(reverse("org:home")).content.decode()
    assert "满意率" in body and reverse("analytics:dashboard", args=[root.code]) in body
    _login(client, "demo-dept")
    body = client.get(reverse("org:home")).content.decode()
    assert "home-kpis" not in body


def test_the_header_offers_the_dashboard_to_those_who_may_see_statistics(city):
    href = reverse("analytics:dashboard_home")
    leader = nav_entries(User.objects.get(username="demo-leader"))
    assert (href, "看板") in leader["daily"]
    for username in ("demo-dept", "demo-resident"):
        entries = nav_entries(User.objects.get(username=username))
        assert href not in [link for link, _label in entries["daily"] + entries["more"]]


def test_the_json_reads_the_same_number_of_queries_however_many_children(city, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, "demo-leader")
    grid = _grid_of("demo-grid")
    for _ in range(3):
        _file(grid)
    counts = {}
    for node in (grid.parent, grid.parent.parent, OrgNode.objects.get(parent=None)):
        with CaptureQueriesContext(connection) as queries:
            _data(client, node.code)
        counts[node.code] = len(queries)
    assert len(set(counts.values())) == 1, counts
