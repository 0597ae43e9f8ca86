import pytest
import shapely
from django.core.management import call_command
from shapely.geometry import shape

from org.models import Department, GridPairing, Household, OrgNode, PartyOrg, RoleAssignment, User
from residents.models import Resident
from simulate.citygen import CityGenerationError, CityGenerator, city_digest, id_number, tile
from tests.conftest import DEMO_USERS, EVERY_PRESET, build_city


def _reset():
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_city():
    build_city(seed=7)
    first = city_digest()
    _reset()
    build_city(seed=7)
    assert city_digest() == first
    _reset()
    build_city(seed=8)
    assert city_digest() != first


@pytest.mark.django_db
@pytest.mark.parametrize("preset", EVERY_PRESET)
def test_every_preset_generates_a_complete_city(preset):
    build_city(preset)
    grids = OrgNode.objects.exclude(grid_kind="")
    assert grids.filter(grid_kind="residential").count() == 9
    assert grids.filter(grid_kind="unit").count() == 3
    assert Household.objects.exists() and Resident.objects.exists()
    assert set(
        User.objects.filter(username__startswith="demo-").values_list("username", flat=True)
    ) == set(DEMO_USERS)
    # Every residential grid has a partner unit and every grid a party branch where the
    # preset's party tree reaches the grid level.
    residential = grids.filter(grid_kind="residential")
    assert GridPairing.objects.filter(grid__in=residential).values("grid").distinct().count() == 9
    if PartyOrg.objects.filter(level__org_level__kind="grid").exists():
        assert PartyOrg.objects.filter(level__org_level__kind="grid").count() == 12
    assert Department.objects.filter(kind="city_management").exists()
    # Every node of a role's level is staffed by that role.
    for assignment in RoleAssignment.objects.filter(user__username="demo-grid"):
        assert assignment.node.is_grid
    root = OrgNode.objects.get(parent=None)
    union = shapely.union_all([shape(g.geometry) for g in grids])
    assert abs(union.area - shape(root.geometry).area) < 1e-12


@pytest.mark.django_db
def test_party_orgs_hang_under_their_parent_levels():
    build_city("zhangye")
    for org in PartyOrg.objects.exclude(parent=None).select_related("parent"):
        assert org.node.code.startswith(org.parent.node.code)
        assert org.level.depth > org.parent.level.depth
    assert PartyOrg.objects.filter(parent=None).count() >= 1


@pytest.mark.django_db
def test_generation_refuses_a_database_that_already_has_a_tree():
    build_city()
    with pytest.raises(CityGenerationError):
        CityGenerator("tiny", 1).run()


def test_tiles_share_edges_exactly():
    import random

    cells = tile((0.0, 0.0, 1.0, 1.0), 17, random.Random(1))
    polygons = [shapely.box(*cell) for cell in cells]
    assert len(polygons) == 17
    assert abs(sum(p.area for p in polygons) - 1.0) < 1e-12
    assert abs(shapely.union_all(polygons).area - 1.0) < 1e-12


def test_id_numbers_carry_a_valid_check_digit():
    from datetime import date

    # GB 11643 example: 11010519491231002X
    assert id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"
