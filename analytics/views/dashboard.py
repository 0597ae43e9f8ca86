"""The leader's dashboards: a node's page (cards, charts, the map, supervision lists),
its JSON (for a click on the map and for the 大屏) and the 大屏 (wall screen).

Views only parse, check access and render. Access: the node must be visible (else 404)
and the user must hold ``analytics.view`` there (else 403), from ``org.permissions``.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from analytics.dashboard import CHOICES, DEFAULT_KPI, card, label, payload
from analytics.kpis import THREE_RATES, kpis
from analytics.periods import PRESETS, parse_period
from org.codes import collapse_prefixes
from org.models import OrgNode
from org.permissions import codes_with, has
from org.queries import ancestors, visible_node

VERB = "analytics.view"
# The 大屏 fetches its figures again this often (seconds); ?every= changes it.
SCREEN_REFRESH = 60
SCREEN_REFRESH_MIN = 2


def _node(request, code: str) -> OrgNode:
    node = visible_node(request.user, code)
    if not has(request.user, VERB, node.code):
        raise PermissionDenied("您没有查看该节点统计的权限")
    return node


def _kpi(request) -> str:
    kpi = request.GET.get("kpi")
    return kpi if kpi in CHOICES else DEFAULT_KPI


def top_node_code(user) -> str | None:
    """The highest node where ``user`` holds ``analytics.view`` (the root for a superuser);
    several seats side by side: the first by code."""
    codes = codes_with(user, VERB)
    if codes is None:
        root = OrgNode.objects.filter(parent=None).order_by("code").first()
        return root.code if root else None
    codes = collapse_prefixes(codes)
    return min(codes, key=lambda code: (len(code), code)) if codes else None


def map_data(user, node: OrgNode, rows: list[dict]) -> dict:
    """The map's shapes: the children that have a boundary (a grid: itself), each with
    its code; colours and values come from the payload so the 大屏 can recolour."""
    if node.is_grid:
        shapes = [node]
    else:
        codes = [row["code"] for row in rows if not row.get("here")]
        shapes = OrgNode.objects.restrict(user).filter(code__in=codes, geometry__isnull=False)
    return {
        "shapes": [
            {"code": shape.code, "name": shape.name, "geometry": shape.geometry}
            for shape in shapes
            if shape.geometry
        ],
        "outline": node.geometry,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


def _crumbs(user, node: OrgNode) -> list[dict]:
    """The visible ancestors, root first: their dashboards where the user may see them,
    else their org pages."""
    return [
        {
            "name": crumb.name,
            "url": reverse("analytics:dashboard", args=[crumb.code])
            if has(user, VERB, crumb.code)
            else reverse("org:node", args=[crumb.code]),
        }
        for crumb in ancestors(node, user)
    ]


def home_panel(user) -> dict | None:
    """The home page's overview for a user who may see statistics: the 三率 and score of
    their top node this month, and the way to its dashboard; None for everyone else."""
    code = top_node_code(user)
    if code is None:
        return None
    node = OrgNode.objects.filter(code=code).first()
    period = parse_period({})
    row = kpis(code, period.start, period.end)[0]
    return {
        "analytics_home": {
            "node": node,
            "period": period,
            "cards": [card(row, field) for field in (*THREE_RATES, "score")],
            "url": reverse("analytics:dashboard", args=[code]),
        }
    }


@login_required
def dashboard_home(request):
    """``/analytics/``: the dashboard of the user's top node."""
    code = top_node_code(request.user)
    if code is None:
        raise PermissionDenied("您没有查看统计的权限")
    return redirect("analytics:dashboard", code=code)


@login_required
def dashboard(request, code):
    node = _node(request, code)
    period = parse_period(request.GET)
    kpi = _kpi(request)
    data = payload(request.user, node, period, kpi)
    base = reverse("analytics:dashboard", args=[node.code])
    context = {
        "node": node,
        "crumbs": _crumbs(request.user, node),
        "period": period,
        "data": data,
        "map_data": map_data(request.user, node, data["children"]),
        "presets": [(key, str(name), f"{base}?p={key}&kpi={kpi}") for key, name in PRESETS.items()],
        "choices": [(field, label(field)) for field in CHOICES],
        "kpi": kpi,
        "data_url": reverse("analytics:dashboard_data", args=[node.code]),
        # The header's buttons, each only for whoever its page admits (the same checks).
        "may_reports": has(request.user, "analytics.view", node.code),
        "may_rankings": codes_with(request.user, "analytics.view") != [],
        "may_awards": codes_with(request.user, "analytics.award") != [],
    }
    return render(request, "analytics/dashboard/node.html", context)


@login_required
def dashboard_data(request, code):
    """The dashboard's figures as JSON (same query string as the page): a click on the
    map fetches a child's, the 大屏 fetches its own again."""
    node = _node(request, code)
    return JsonResponse(payload(request.user, node, parse_period(request.GET), _kpi(request)))


@login_required
def screen(request, code):
    """The 大屏: dark, 16:9, no header; fetches its figures again every ``every`` seconds."""
    node = _node(request, code)
    period = parse_period(request.GET)
    kpi = _kpi(request)
    try:
        every = max(SCREEN_REFRESH_MIN, int(request.GET.get("every", SCREEN_REFRESH)))
    except ValueError:
        every = SCREEN_REFRESH
    data = payload(request.user, node, period, kpi)
    query = request.GET.copy()
    query.pop("every", None)
    context = {
        "node": node,
        "data": data,
        "map_data": map_data(request.user, node, data["children"]),
        "settings": {
            "every": every,
            "data_url": reverse("analytics:dashboard_data", args=[node.code])
            + ("?" + query.urlencode() if query else ""),
        },
    }
    return render(request, "analytics/dashboard/screen.html", context)
