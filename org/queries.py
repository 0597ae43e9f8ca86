"""Read-side helpers shared by the pages and the API."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import Substr
from django.http import Http404

from gridgov.errors import InvalidInput
from org.codes import any_subtree_q, collapse_prefixes
from org.models import Household, OrgNode, RoleAssignment
from org.scoping import scope_prefixes
from residents.models import Resident

COUNT_KEYS = ("grids", "households", "residents", "staff")


def subtree_counts(user, codes) -> dict[str, dict[str, int]]:
    """Grids, households, residents and staff under each code, within the user's scope.

    One grouped query per kind of count and code length, however many codes:
    codes of one length are distinct prefixes, so grouping rows by the first
    ``length`` characters of their code counts each subtree.
    """
    counts = {code: dict.fromkeys(COUNT_KEYS, 0) for code in codes}
    by_length = defaultdict(list)
    for code in codes:
        by_length[len(code)].append(code)
    sources = [
        ("grids", OrgNode.objects.exclude(grid_kind=""), "code", None),
        ("households", Household.objects.all(), "code", None),
        ("residents", Resident.objects.all(), "household__code", None),
        ("staff", RoleAssignment.objects.exclude(role__kind="resident"), "node__code", "user"),
    ]
    for length, group in by_length.items():
        for key, queryset, field, distinct in sources:
            rows = queryset.restrict(user).filter(any_subtree_q(group, field))
            rows = (
                rows.annotate(prefix=Substr(field, 1, length))
                .values("prefix")
                .annotate(n=Count(distinct or "pk", distinct=bool(distinct)))
                .order_by()
            )
            for row in rows:
                counts[row["prefix"]][key] = row["n"]
    return counts


def visible_node(user, code: str) -> OrgNode:
    node = (
        OrgNode.objects.restrict(user).select_related("level", "parent").filter(code=code).first()
    )
    if node is None:
        raise Http404("没有这个节点,或不在您的管辖范围内")
    return node


def query_node(user, params, name: str) -> OrgNode | None:
    """The node an API query parameter names (``?grid=``, ``?node=``: a node's code), for
    filtering a list or choosing a report: None when the parameter is absent or empty; a
    400 ``InvalidInput`` naming the parameter when no node has that code or the user may
    not see it (``OrgNode.objects.restrict``). Both get the same answer, as
    ``visible_node``'s 404 and the visit coverage's 400 do: a filter that cannot apply is
    never read as "nothing there" (an empty list), nor does the answer tell whether a code
    outside one's scope exists."""
    code = (params.get(name) or "").strip()
    if not code:
        return None
    node = OrgNode.objects.restrict(user).filter(code=code).first() if code.isdigit() else None
    if node is None:
        reason = "没有这个节点，或不在您的管辖范围内"
        raise InvalidInput(f"{name}：{reason}（{code[:40]}）", errors={name: [reason]})
    return node


def root_nodes(user) -> list[OrgNode]:
    """The top of the tree as this user sees it: the nodes their roles are bound to."""
    prefixes = scope_prefixes(user, personal=False)
    nodes = OrgNode.objects.select_related("level")
    if prefixes is None:
        return list(nodes.filter(parent=None))
    return list(nodes.filter(code__in=collapse_prefixes(prefixes)))


def ancestors(node: OrgNode, user) -> list[OrgNode]:
    """The visible ancestors of a node, root first (for breadcrumbs): the nodes whose
    codes are proper prefixes of its code."""
    prefixes = [node.code[:i] for i in range(1, len(node.code))]
    return list(OrgNode.objects.restrict(user).filter(code__in=prefixes).order_by("code"))
