"""Routing a category in a grid of a tiny generated Jizhou city (departments at the root)."""

import pytest

from catalog.models import HandlerKind, MatterCategory, RoutingRule, Tier
from catalog.routing import ancestor_codes, route
from org.models import Department, OrgNode

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(jizhou_city):
    grids = list(OrgNode.objects.exclude(grid_kind="").select_related("parent__parent"))
    grid = grids[0]
    town = grid.parent.parent
    elsewhere = next(other for other in grids if other.parent.parent_id != town.pk)
    return {
        "grid": grid,
        "community": grid.parent,
        "town": town,
        "root": OrgNode.objects.get(parent=None),
        "elsewhere": elsewhere,
    }


def category(code):
    return MatterCategory.objects.select_related("default_tier").get(code=code)


def department(kind):
    return Department.objects.get(kind=kind)


def test_a_department_tier_goes_to_the_department_of_the_category_kind(
    tree, django_assert_num_queries
):
    illegal_building = category("WZ-001")  # 违章搭建: 需协调, 城管
    with django_assert_num_queries(2):
        result = route(illegal_building, tree["grid"])
    assert result.handler == HandlerKind.DEPARTMENT
    assert result.department == department("city_management")
    assert result.node == tree["root"]
    assert result.rule is None


def test_the_deepest_rule_on_the_grid_path_wins(tree, django_assert_num_queries):
    illegal_building = category("WZ-001")
    police = department("police")
    RoutingRule.objects.create(
        category=illegal_building, node=tree["root"], handler="department", department=police
    )
    town_rule = RoutingRule.objects.create(
        category=illegal_building, node=tree["town"], handler="community"
    )
    # A rule in another town's subtree does not apply here.
    RoutingRule.objects.create(category=illegal_building, node=tree["elsewhere"], handler="grid")
    with django_assert_num_queries(2):
        result = route(illegal_building, tree["grid"])
    assert (result.handler, result.node, result.rule) == (
        HandlerKind.COMMUNITY,
        tree["community"],
        town_rule,
    )
    with django_assert_num_queries(1):
        result = route(illegal_building, tree["elsewhere"])
    assert (result.handler, result.node) == (HandlerKind.GRID, tree["elsewhere"])
    other_town_grid = (
        OrgNode.objects.exclude(grid_kind="")
        .exclude(code__startswith=tree["town"].code)
        .exclude(pk=tree["elsewhere"].pk)
        .first()
    )
    result = route(illegal_building, other_town_grid)
    assert (result.department, result.node) == (police, tree["root"])


def test_a_kind_with_no_department_falls_back_to_the_community(tree, django_assert_num_queries):
    cracked_house = category("FW-001")  # 房屋开裂: 重点难点, 住建 — Jizhou has none
    with django_assert_num_queries(3):
        result = route(cracked_house, tree["grid"])
    assert (result.handler, result.department, result.node) == (
        HandlerKind.COMMUNITY,
        None,
        tree["community"],
    )


def test_a_grid_tier_stays_in_the_grid_whatever_the_department_kind(
    tree, django_assert_num_queries
):
    dispute = category("MD-001")  # 邻里纠纷: 简易问题, handled by the grid worker
    with django_assert_num_queries(1):
        result = route(dispute, tree["grid"])
    assert (result.handler, result.node) == (HandlerKind.GRID, tree["grid"])
    garbage = category("HW-001")
    immediate = Tier.objects.get(code="immediate")
    with django_assert_num_queries(1):
        result = route(garbage, tree["grid"], tier=immediate)
    assert (result.handler, result.department) == (HandlerKind.GRID, None)


def test_a_multi_department_tier_keeps_its_handler_with_the_lead_department(tree):
    escalated = Tier.objects.get(code="escalated")
    result = route(category("HW-001"), tree["grid"], tier=escalated)
    assert result.handler == HandlerKind.DEPARTMENTS
    assert result.department == department("sanitation")


def test_ancestor_codes_are_the_prefixes_of_the_grid_code(tree):
    codes = ancestor_codes(tree["grid"])
    for node in (tree["root"], tree["town"], tree["community"], tree["grid"]):
        assert node.code in codes
