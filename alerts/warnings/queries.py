"""What the warnings' pages and API share: the user's warnings under a node, the node a
user starts from, the kinds' names and the counts by kind."""

import datetime as dt

from django.db.models import Count

from alerts.models import Warning
from alerts.models.warnings import ACTIVE_STATUSES
from gridgov.early_warning import rules
from org.codes import any_subtree_q
from org.models import OrgNode
from org.permissions import codes_with, has

# The list's status filter: the active ones by default, or one status, or all.
STATUS_FILTERS = ("active", "open", "acknowledged", "dealt", "all")


# Who may read warnings and the patrol-quality table at a node: those who handle them or
# read the figures there (issue 13's tester: a resident saw their grid's table).
READ_VERBS = ("alerts.handle", "analytics.view")


def may_read(user, code: str) -> bool:
    """Whether the user holds one of ``READ_VERBS`` at the node ``code``."""
    return any(has(user, verb, code) for verb in READ_VERBS)


def readable(queryset, user, field: str = "node__code"):
    """``queryset`` narrowed to the subtrees where the user holds one of ``READ_VERBS``."""
    codes: list[str] = []
    for verb in READ_VERBS:
        found = codes_with(user, verb)
        if found is None:
            return queryset
        codes += found
    return queryset.filter(any_subtree_q(codes, field)) if codes else queryset.none()


def bad_query(params) -> str | None:
    """The Chinese reason a page's query string is wrong (an unknown ``status``, a ``week``
    or ``day`` that is not a date), or None."""
    status = params.get("status")
    if status and status not in STATUS_FILTERS:
        return f"没有这个状态：{status[:20]}（可选：{'、'.join(STATUS_FILTERS)}）"
    for name in ("week", "day"):
        value = params.get(name)
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return f"日期格式应为 YYYY-MM-DD：{value[:20]}"
    return None


def kind_names() -> dict[str, str]:
    return {rule.key: str(rule.label) for rule in rules()}


def home_node(user) -> OrgNode | None:
    """The node a user's warnings page opens at: the highest seat where they handle
    warnings, else the highest node they may see."""
    codes = codes_with(user, "alerts.handle")
    visible = OrgNode.objects.restrict(user)
    if codes is None:
        return OrgNode.objects.filter(parent__isnull=True).order_by("code").first()
    if codes:
        return visible.filter(code__in=codes).order_by("level__depth", "code").first()
    return visible.order_by("level__depth", "code").first()


def node_for(user, code: str | None) -> OrgNode | None:
    """The node ``code`` if the user may see it (None otherwise), or their home node."""
    if not code:
        return home_node(user)
    return OrgNode.objects.restrict(user).filter(code=code).first()


def warnings_under(user, node: OrgNode):
    """The warnings the user may see, at ``node`` and below."""
    return (
        Warning.objects.restrict(user)
        .filter(node__code__startswith=node.code)
        .select_related("node", "owner")
    )


def filter_warnings(queryset, *, kind: str = "", status: str = "active"):
    if kind:
        queryset = queryset.filter(kind=kind)
    if status == "active" or status not in STATUS_FILTERS:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif status != "all":
        queryset = queryset.filter(status=status)
    return queryset


def counts_by_kind(queryset) -> list[dict]:
    """``[{"kind", "label", "count"}]`` of the active warnings, by kind, in the rules' order."""
    names = kind_names()
    found = dict(
        queryset.filter(status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    order = list(names) + sorted(set(found) - set(names))
    return [{"kind": k, "label": names.get(k, k), "count": found.get(k, 0)} for k in order]


def parse_week(value: str | None, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else today
    except ValueError:
        return today
