"""One rule for a node's code (org.codes.node_code), used by the admin (OrgNode.clean), the
division import and its API. The finding: the admin took ``code=ABC`` under 360802 (which
no leader could then open or see listed) and a 12-digit code at the town level."""

import pytest
from django.core.exceptions import ValidationError

from org.codes import CodeError, node_code, unpad
from org.models import Level, OrgNode, User
from tests.conftest import city  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    ("raw", "parent", "width", "expected"),
    [
        ("360802001", "360802", 3, "360802001"),
        ("360802001000", "360802", 3, "360802001"),  # the published, right-padded form
        ("350100000000", "", 4, "3501"),
        (" 360802001001 ", "360802001", 3, "360802001001"),
        (360802001, "360802", 3, "360802001"),
        (360802001.0, "360802", 3, "360802001"),
    ],
)
def test_codes_that_follow_the_scheme_are_normalised(raw, parent, width, expected):
    assert node_code(raw, parent_code=parent, width=width) == expected


@pytest.mark.parametrize(
    ("raw", "parent", "width", "reason"),
    [
        ("ABC", "360802", 3, "只能由数字"),
        ("３６０８０２００１", "360802", 3, "只能由数字"),  # full-width digits
        ("", "360802", 3, "编码为空"),
        ("360802001001", "360802", 3, "应为 9 位"),  # a village code at the town level
        ("360803001", "360802", 3, "应以上级编码 360802 开头"),
        ("3608020011", "360802", 3, "应为 9 位"),
        ("360802000", "360802", 3, "不能全是 0"),
    ],
)
def test_codes_that_break_it_are_refused_with_a_chinese_reason(raw, parent, width, reason):
    with pytest.raises(CodeError) as caught:
        node_code(raw, parent_code=parent, width=width, level_name="镇(街)")
    assert reason in caught.value.reason


def test_unpad_cuts_a_padded_code_to_the_shortest_level_it_fits():
    assert unpad("350102000000", (4, 6, 9, 12)) == "350102"
    assert unpad("350102001001", (4, 6, 9, 12)) == "350102001001"
    assert unpad("3501020", (4, 6, 9, 12)) == "3501020"  # only the 12-digit form is padded


def _admin_client(client):
    client.force_login(User.objects.get(username="demo-admin"))
    return client


def _add(client, **fields):
    return client.post("/admin/org/orgnode/add/", fields)


def test_the_admin_refuses_abc_under_the_district(db, city, client):  # noqa: F811
    root = OrgNode.objects.get(parent=None)
    town = Level.objects.get(depth=1)
    response = _add(
        _admin_client(client), code="ABC", name="坏编码街道", parent=root.pk, level=town.pk
    )
    assert response.status_code == 200
    assert "只能由数字 0-9 组成" in response.content.decode()
    assert not OrgNode.objects.filter(name="坏编码街道").exists()


def test_the_admin_refuses_a_village_code_at_the_town_level(db, city, client):  # noqa: F811
    root = OrgNode.objects.get(parent=None)
    town = Level.objects.get(depth=1)
    response = _add(
        _admin_client(client),
        code=f"{root.code}099001",
        name="十二位街道",
        parent=root.pk,
        level=town.pk,
    )
    assert "应为 9 位" in response.content.decode()
    assert not OrgNode.objects.filter(name="十二位街道").exists()


def test_the_admin_cuts_a_padded_town_code_to_its_nine_digits(db, city, client):  # noqa: F811
    root = OrgNode.objects.get(parent=None)
    town = Level.objects.get(depth=1)
    response = _add(
        _admin_client(client),
        code=f"{root.code}099000",
        name="补零街道",
        parent=root.pk,
        level=town.pk,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OrgNode.objects.get(name="补零街道").code == f"{root.code}099"


def test_the_admin_refuses_a_node_on_the_wrong_level(db, city):  # noqa: F811
    root = OrgNode.objects.get(parent=None)
    community = Level.objects.get(depth=2)
    node = OrgNode(code=f"{root.code}099", name="跳级", parent=root, level=community)
    with pytest.raises(ValidationError) as caught:
        node.full_clean()
    assert "level" in caught.value.message_dict


def test_buildings_and_households_are_not_tree_nodes(db, city):  # noqa: F811
    grid = OrgNode.objects.exclude(grid_kind="").first()
    building = Level.objects.get(kind="building")
    node = OrgNode(code=f"{grid.code}999", name="楼", parent=grid, level=building)
    with pytest.raises(ValidationError) as caught:
        node.full_clean()
    assert "不是组织节点的层级" in caught.value.message_dict["level"][0]


def test_a_node_with_nodes_below_keeps_its_code(db, city):  # noqa: F811
    town = OrgNode.objects.filter(level__depth=1).first()
    town.code = town.code[:-1] + ("8" if town.code[-1] != "8" else "7")
    with pytest.raises(ValidationError) as caught:
        town.full_clean(validate_unique=False)
    assert "不能改编码" in caught.value.message_dict["code"][0]


def test_every_generated_node_follows_the_rule(db, city):  # noqa: F811
    for node in OrgNode.objects.select_related("level", "parent__level"):
        node.clean()
