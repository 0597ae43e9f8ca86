"""Pages of the org tree: the user's top nodes, a node with its children, a grid's details.

Views only parse, check scope (visible_node / restrict), call read helpers and render.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from org.models import (
    Building,
    GridPairing,
    Household,
    OrgNode,
    PartyOrg,
    RoleAssignment,
    RoleKind,
)
from org.panels import home_panels
from org.queries import ancestors, root_nodes, subtree_counts, visible_node

HOUSEHOLDS_PER_PAGE = 50


@login_required
def home(request):
    nodes = root_nodes(request.user)
    counts = subtree_counts(request.user, [node.code for node in nodes])
    rows = [(node, counts[node.code]) for node in nodes]
    return render(request, "org/home.html", {"rows": rows, **home_panels(request.user)})


@login_required
def node_detail(request, code):
    user = request.user
    node = visible_node(user, code)
    children = list(
        OrgNode.objects.restrict(user).filter(parent=node).select_related("level").order_by("code")
    )
    counts = subtree_counts(user, [node.code, *(child.code for child in children)])
    context = {
        "node": node,
        "crumbs": ancestors(node, user),
        "counts": counts[node.code],
        "rows": [(child, counts[child.code]) for child in children],
        "child_level": children[0].level if children else None,
    }
    if node.is_grid:
        context.update(_grid_context(request, node))
    return render(request, "org/node.html", context)


def _grid_context(request, grid) -> dict:
    user = request.user
    staff = (
        RoleAssignment.objects.restrict(user)
        .filter(node=grid)
        .exclude(role__kind=RoleKind.RESIDENT)
        .select_related("role", "user", "department")
        .order_by("role__level__depth", "role_id", "user__display_name")  # preset order
    )
    pairings = (
        GridPairing.objects.restrict(user)
        .filter(grid=grid)
        .select_related("partner")
        .order_by("since", "partner__code")
    )
    # The party organisations of the party level(s) drawn at the grid's own level.
    branches = (
        PartyOrg.objects.restrict(user)
        .filter(node=grid, level__org_level=grid.level_id)
        .select_related("level")
    )
    households = Household.objects.restrict(user).filter(grid=grid)
    per_building = dict(
        households.values("building")
        .annotate(n=Count("pk"))
        .values_list("building", "n")
        .order_by()
    )
    buildings = [
        (building, per_building.get(building.pk, 0))
        for building in Building.objects.restrict(user).filter(grid=grid).order_by("code")
    ]
    page = Paginator(
        households.select_related("building", "unit")
        .annotate(n_residents=Count("residents"))
        .order_by("code"),
        HOUSEHOLDS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    map_data = {
        "boundary": grid.geometry,
        "buildings": [
            {"name": building.name, "lng": building.lng, "lat": building.lat}
            for building, _count in buildings
            if building.lng is not None and building.lat is not None
        ],
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }
    return {
        "staff": list(staff),
        "pairings": list(pairings),
        "branches": list(branches),
        "buildings": buildings,
        "households_page": page,
        "map_data": map_data,
    }
