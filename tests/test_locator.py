import random

import shapely
from shapely.geometry import shape

from org.locator import GridLocator
from org.models import OrgNode


def _grids():
    return list(OrgNode.objects.exclude(grid_kind="").order_by("code"))


def test_grids_tile_the_territory_without_gaps_or_overlaps(city, db):
    root = OrgNode.objects.get(parent=None)
    polygons = [shape(grid.geometry) for grid in _grids()]
    territory = shape(root.geometry)
    union = shapely.union_all(polygons)
    assert abs(union.area - territory.area) < 1e-12
    assert abs(sum(p.area for p in polygons) - territory.area) < 1e-12


def test_a_point_inside_a_grid_finds_that_grid(city, db):
    locator = GridLocator()
    for grid in _grids():
        inside = shape(grid.geometry).representative_point()
        assert locator.locate(inside.x, inside.y) == grid.code


def test_a_point_outside_the_territory_finds_nothing(city, db):
    assert GridLocator().locate(0.0, 0.0) is None


def test_points_on_shared_edges_and_corners_get_exactly_one_grid(city, db):
    locator = GridLocator()
    grids = _grids()
    shapes = {grid.code: shape(grid.geometry) for grid in grids}
    checked = 0
    for grid in grids:
        for lng, lat in shapes[grid.code].exterior.coords:
            touching = sorted(
                code for code, poly in shapes.items() if poly.intersects(shapely.Point(lng, lat))
            )
            found = locator.locate(lng, lat)
            assert found == touching[0]
            checked += len(touching) > 1
    assert checked > 0  # the city really has shared corners


def test_bulk_lookup_agrees_with_single_lookups(city, db):
    locator = GridLocator()
    root = shape(OrgNode.objects.get(parent=None).geometry)
    x0, y0, x1, y1 = root.bounds
    rng = random.Random(3)
    points = [
        (rng.uniform(x0 - 0.01, x1 + 0.01), rng.uniform(y0 - 0.01, y1 + 0.01)) for _ in range(500)
    ]
    # Add every grid corner, which lies on edges shared by up to four grids.
    for grid in _grids():
        points.extend(shape(grid.geometry).exterior.coords[:4])
    assert locator.locate_many(points) == [locator.locate(x, y) for x, y in points]
    inside = [p for p in points if root.covers(shapely.Point(p))]
    assert all(code is not None for code in locator.locate_many(inside))


def test_the_index_is_rebuilt_when_a_grid_changes(city, db):
    locator = GridLocator()
    grid = _grids()[0]
    far = {"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]}
    assert locator.locate(10.5, 10.5) is None
    grid.geometry = far
    grid.save(update_fields=["geometry"])
    assert locator.locate(10.5, 10.5) == grid.code
