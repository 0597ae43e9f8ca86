"""What a fresh tester found contradictory in the figures, held: the cohort's overdue count
is named as such and the live overdue count stands beside it; a worker's row names the
person and their grid; the children add up to the node with a 「本级（未落到下级）」 row;
reports round before signing and leave 「无牵头部门」 out of the slowest units; a lone
area is drawn in the neutral colour."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.dashboard import GOOD_RAMP, OVERDUE_NOW, OVERDUE_NOW_LABEL, colour_scale
from analytics.kpis import HERE_NAME, KPI_NAMES, kpis
from analytics.reports import sentences
from analytics.views.reports import signed
from cases.actions import Report, do_create_case
from org.models import OrgNode, User

pytestmark = pytest.mark.django_db


def _grid(username="demo-grid") -> OrgNode:
    return User.objects.get(username=username).assignments.get().node


def _file(grid=None, title="路灯不亮", *, at=None, due_at=None):
    """A case in ``grid``; without one, an unplaced message: it sits at the filing
    administrator's node (the root), in no child."""
    admin = User.objects.get(username="demo-admin")
    report = Report(title=title, grid_code=grid.code if grid else None, due_at=due_at)
    return do_create_case(report, actor=admin, at=at)


def _month():
    today = timezone.localdate()
    return today.replace(day=1), today


def _login(client, username):
    client.force_login(User.objects.get(username=username))


# -- 1. the overdue counts ------------------------------------------------------------------


def test_the_cohort_overdue_is_named_so_and_the_live_count_stands_beside_it(city, client):
    _login(client, "demo-community")
    grid = _grid()
    now = timezone.now()
    # Received long before the period and overdue now: on the red list, not in the cohort.
    _file(grid, "旧的超期件", at=now - dt.timedelta(days=400), due_at=now - dt.timedelta(days=1))
    data = client.get(reverse("analytics:dashboard_data", args=[grid.parent.code])).json()
    fields = [card["field"] for card in data["headline"]]
    at = fields.index("overdue_open")
    assert fields[at + 1] == OVERDUE_NOW
    cohort, live = data["headline"][at], data["headline"][at + 1]
    assert cohort["label"] == str(KPI_NAMES["overdue_open"]) == "本期受理现超期"
    assert cohort["value"] == 0
    assert live["label"] == OVERDUE_NOW_LABEL == "当前超期（全部）"
    red = next(item for item in data["supervision"] if item["key"] == "red")
    assert live["value"] == red["count"] == 1
    page = client.get(reverse("analytics:dashboard", args=[grid.parent.code]))
    assert "当前超期（全部）" in page.content.decode()


# -- 2. the worker rows ---------------------------------------------------------------------


def test_a_worker_s_row_is_named_person_and_grid_and_carries_the_grid_s_figures(city):
    grid = _grid()
    _file(grid)
    start, end = _month()
    rows = {row["key"]: row for row in kpis(grid.parent.code, start, end, group_by="worker")}
    worker = User.objects.get(username="demo-grid")
    row = rows["demo-grid"]
    assert row["name"] == f"{worker.display_name}（{grid.name}）"
    assert "demo-grid" not in row["name"]
    assert row["received"] == kpis(grid.code, start, end)[0]["received"] == 1


def test_the_api_docs_say_worker_rows_do_not_add_up(city, client):
    _login(client, "demo-admin")
    schema = client.get(reverse("api:schema")).content.decode()
    assert "各行不可相加" in schema and "本级（未落到下级）" in schema


# -- 3. the cases at the node itself ---------------------------------------------------------


def test_children_add_up_to_the_node_with_a_row_for_the_cases_at_the_node(city):
    root = OrgNode.objects.get(parent=None)
    start, end = _month()
    _file(_grid())
    rows = kpis(root.code, start, end, group_by="child")
    assert root.code not in {row["key"] for row in rows}  # none at the root yet
    unplaced = _file(None, "导入的留言")
    assert unplaced.org_code == root.code
    rows = kpis(root.code, start, end, group_by="child")
    here = next(row for row in rows if row["key"] == root.code)
    assert here["name"] == str(HERE_NAME) == "本级（未落到下级）"
    assert here["received"] == 1
    total = kpis(root.code, start, end)[0]["received"]
    assert sum(row["received"] for row in rows) == total == 2


def test_the_dashboard_lists_the_node_s_own_row_without_a_link_or_an_area(city, client):
    _login(client, "demo-admin")
    root = OrgNode.objects.get(parent=None)
    _file(None, "导入的留言")
    response = client.get(reverse("analytics:dashboard", args=[root.code]), {"kpi": "received"})
    data = response.context["data"]
    here = next(row for row in data["children"] if row["code"] == root.code)
    assert here["here"] is True and here["url"] == "" and here["name"] == "本级（未落到下级）"
    shapes = {shape["code"] for shape in response.context["map_data"]["shapes"]}
    assert root.code not in shapes


# -- 4. the reports ---------------------------------------------------------------------------


def test_a_change_is_rounded_before_it_is_signed():
    assert signed(-0.04) == "0.0"
    assert signed(-0.0) == "0.0"
    assert signed(0.26) == "+0.3"
    assert signed(-1.26) == "-1.3"


def _content(units, current=None, prior=None):
    empty = {"received": 0}
    return {
        "node": {"code": "3608", "name": "吉安市", "level": "市"},
        "period": {"noun": "本月", "previous_noun": "上月"},
        "current": current or {"received": 4, "accepted": 4, "closed": 4},
        "prior": prior or empty,
        "children": [],
        "groups": [],
        "units": units,
        "best": None,
        "slowest": None,
        "targets": [],
    }


def test_no_lead_unit_is_never_named_the_slowest_unit():
    units = [
        {"key": "", "name": "无牵头部门", "avg_handling_workdays": 9.0},
        {"key": "D1", "name": "市城管局", "avg_handling_workdays": 3.0},
        {"key": "D2", "name": "市住建局", "avg_handling_workdays": 2.0},
    ]
    said = " ".join(sentences(_content(units)))
    assert "承办部门中平均办理用时最长的是市城管局（3 个工作日）" in said
    assert "无牵头部门" not in said


def test_the_report_page_shows_no_minus_zero():
    from analytics.views.reports import _headline

    content = {
        "fields": [["satisfaction_rate", "满意率"]],
        "current": {"satisfaction_rate": 0.9},
        "prior": {"satisfaction_rate": 0.9003},
    }
    assert _headline(content)[0]["change"] == "0.0 个百分点"


def test_the_units_sheet_keeps_no_lead_unit_but_its_chart_leaves_it_out():
    from analytics.workbook import _units_last_unnamed

    rows = [{"key": ""}, {"key": "D1"}, {"key": "D2"}]
    assert [row["key"] for row in _units_last_unnamed(rows)] == ["D1", "D2", ""]


# -- 5. one area alone ------------------------------------------------------------------------


def test_one_area_or_equal_values_take_the_neutral_middle_colour(city, client):
    colours, legend = colour_scale("score", [0.4], +1)
    assert colours == [GOOD_RAMP[2]] and legend[0]["colour"] == GOOD_RAMP[2]
    _login(client, "demo-grid")
    grid = _grid()
    _file(grid)
    data = client.get(reverse("analytics:dashboard_data", args=[grid.code])).json()
    assert data["children"] == []
    assert data["own_colour"] == GOOD_RAMP[2]


def test_the_node_s_own_row_counts_its_overdue_cases(city):
    root = OrgNode.objects.get(parent=None)
    now = timezone.now()
    _file(
        None, "导入的超期留言", at=now - dt.timedelta(hours=2), due_at=now - dt.timedelta(hours=1)
    )
    start = timezone.localtime(now - dt.timedelta(hours=2)).date()
    rows = kpis(root.code, start, timezone.localdate(), group_by="child")
    here = next(row for row in rows if row["key"] == root.code)
    assert here["overdue_open"] == 1
    assert sum(row["overdue_open"] for row in rows) == 1
