"""Where a case of a given category in a given grid goes first.

In order:
1. a ``RoutingRule`` for the category on the grid or one of its ancestors; the rule on
   the deepest node wins (FixMyStreet's per-body contacts);
2. the tier's handler. A tier handled by a department (需协调) or by departments
   together (重点难点) goes to the Department of the category's ``department_kind``
   seated at the grid's deepest ancestor; with no such department, to the community,
   which dispatches by hand. A tier handled by the grid, the community or the
   community party committee stays there whatever the category's department kind:
   the preset says who handles that tier (Zhangye's 承诺件 go to a 社工委 meeting,
   Jizhou's 简易问题 to the grid worker), and they can still whistle departments.

The grid's ancestors are the prefixes of its unified code, so each step is one query
whatever the depth of the tree.
"""

from dataclasses import dataclass

from django.db.models.functions import Length

from catalog.models import HandlerKind, MatterCategory, RoutingRule, Tier
from org.models import Department, OrgNode

DEPARTMENT_HANDLERS = {HandlerKind.DEPARTMENT, HandlerKind.DEPARTMENTS}


@dataclass(frozen=True)
class Route:
    handler: HandlerKind
    department: Department | None
    # The node whose people take the case: the grid, the community, or the department's seat.
    node: OrgNode | None
    rule: RoutingRule | None


def ancestor_codes(grid: OrgNode) -> list[str]:
    """The codes of the grid and of every possible ancestor (all prefixes of its code)."""
    return [grid.code[:length] for length in range(1, len(grid.code) + 1)]


def route(category: MatterCategory, grid: OrgNode, tier: Tier | None = None) -> Route:
    """Route a case of ``category`` in ``grid``; ``tier`` overrides the category's default
    tier (a dispatcher may re-tier a case). Pass the category with ``default_tier``
    selected, or a tier, to save a query."""
    prefixes = ancestor_codes(grid)
    rule = (
        RoutingRule.objects.filter(category=category, node__code__in=prefixes)
        .select_related("node", "department__node")
        .order_by(Length("node__code").desc())
        .first()
    )
    if rule is not None:
        return _place(HandlerKind(rule.handler), rule.department, grid, rule)
    handler = HandlerKind((tier or category.default_tier).handler)
    department = None
    if handler in DEPARTMENT_HANDLERS and category.department_kind:
        department = (
            Department.objects.filter(kind=category.department_kind, node__code__in=prefixes)
            .select_related("node")
            .order_by(Length("node__code").desc())
            .first()
        )
    return _place(handler, department, grid, None)


def _place(handler, department, grid, rule) -> Route:
    if department is not None:
        return Route(handler, department, department.node, rule)
    if handler == HandlerKind.GRID:
        return Route(handler, None, grid, rule)
    # The community (the grid's parent) takes the rest: its own tiers, its party
    # committee's, and department tiers with no department to send to.
    community = OrgNode.objects.filter(pk=grid.parent_id).first()
    if handler in DEPARTMENT_HANDLERS:
        handler = HandlerKind.COMMUNITY
    return Route(handler, None, community, rule)
