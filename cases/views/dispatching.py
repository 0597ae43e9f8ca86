"""What the action forms offer: suggested categories, the suggested route, the units a
case can be dispatched or whistled to, tiers and the catalogue."""

from itertools import groupby

from django.utils.translation import gettext as _

from cases.models import Case
from catalog.classify import get_classifier
from catalog.models import MatterCategory, Tier
from catalog.routing import route
from org.models import Department, OrgNode

SUGGESTIONS = 3


def suggestions_for(case: Case, submitted: dict) -> list[dict]:
    """The categories suggested at intake (the first event's data), or asked of the
    classifier now for a case that came in without them."""
    suggestions = list(submitted.get("suggestions") or [])
    if not suggestions and case.category_id is None:
        text = f"{case.title} {case.description}"
        suggestions = [
            {"code": s.category.code, "name": s.category.name, "score": round(s.score, 3)}
            for s in get_classifier().suggest(text, limit=SUGGESTIONS)
        ]
    return suggestions


def suggested_route(case: Case, category: MatterCategory | None):
    if category is None or case.grid_id is None:
        return None
    return route(category, case.grid)


def _unit_value(suggestion) -> str:
    if suggestion is None:
        return ""
    if suggestion.department is not None:
        return f"department:{suggestion.department.code}"
    return f"node:{suggestion.node.code}" if suggestion.node is not None else ""


def catalogue_groups() -> list[tuple[str, list[MatterCategory]]]:
    """The active catalogue as ``[(group name, [entries])]``, in the catalogue's order."""
    entries = MatterCategory.objects.filter(is_active=True).order_by("group", "code")
    return [(group, list(items)) for group, items in groupby(entries, lambda c: c.group)]


def action_options(
    case: Case, actions, suggestions, *, departments=None, tiers=None, catalogue=None
):
    """Choices for the case's action forms: the suggested categories first (建议), then
    the whole catalogue, so a case with no or wrong suggestions can still be given any
    entry. ``departments``, ``tiers`` and ``catalogue`` (``catalogue_groups()``) may be
    passed when a page shows many cases, to load them once."""
    if not {"dispatch", "whistle"} & set(actions):
        return {}
    departments = departments if departments is not None else list(Department.objects.all())
    options = {"departments": departments}
    if "dispatch" not in actions:
        return options
    codes = [s["code"] for s in suggestions]
    categories = MatterCategory.objects.select_related("default_tier")
    by_code = categories.in_bulk(codes, field_name="code")
    category = case.category or (by_code.get(codes[0]) if codes else None)
    suggestion = suggested_route(case, category)
    nodes = [node for node in (case.grid, case.grid.parent if case.grid_id else None) if node]
    if case.handling_node_id and case.handling_node not in nodes:
        nodes.append(case.handling_node)
    if case.grid_id is None and case.handling_node_id:
        # A case no grid was found for (an address the map does not know, a point outside
        # the territory) goes down to the street or community it belongs to.
        nodes.extend(OrgNode.objects.filter(parent=case.handling_node).order_by("code"))
    suggested = [by_code[code] for code in codes if code in by_code]
    if case.category and case.category.code not in by_code:
        suggested.insert(0, case.category)
    groups = catalogue if catalogue is not None else catalogue_groups()
    catalogue = ([(_("建议"), suggested)] if suggested else []) + groups
    options.update(
        {
            "category": category,
            "route": suggestion,
            "lead": _unit_value(suggestion),
            "nodes": nodes,
            "catalogue": catalogue,
            "tiers": tiers if tiers is not None else list(Tier.objects.all()),
        }
    )
    return options
