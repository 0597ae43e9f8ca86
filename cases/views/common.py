"""Helpers shared by the case pages: scoping, the actions a user may take, parsing an
action's form into the data ``do_case_action`` takes, and what the pages show of a case."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cases.actions import ACTION_NAMES
from cases.actions.flow import allowed_actions
from cases.models import Case, Light, light_q
from gridgov.errors import InvalidInput
from gridgov.parsing import form_int
from org.models import OrgNode
from org.permissions import codes_with, has
from org.scoping import department_ids

# Labels of timeline events, the actions' and the two the system writes itself.
EVENT_NAMES = {
    **ACTION_NAMES,
    "submit": _("提交"),
    "light": _("亮灯"),
    "import_history": _("导入历史状态"),
}

# Text fields an action form may send, passed through as they are when present.
TEXT_FIELDS = ("note", "reason", "result", "comment", "summary")
# Choice fields passed only when not empty (an empty category would be "no such entry").
CHOICE_FIELDS = ("satisfaction", "category_code", "tier")


def urgency(now=None) -> models.Case:
    """0 for a red light at ``now``, 1 for yellow, 2 for green (``annotate(urgency=…)``)."""
    now = now or timezone.now()
    return models.Case(
        models.When(light_q(Light.RED, now), then=0),
        models.When(light_q(Light.YELLOW, now), then=1),
        default=2,
        output_field=models.IntegerField(),
    )


# Most urgent first: red, yellow, green, then the earliest deadline.
URGENT_ORDER = ["urgency", models.F("due_at").asc(nulls_last=True), "pk"]

CASE_RELATED = ("grid", "category", "tier", "handling_node")


def visible_cases(user):
    """The cases the user may see (their subtree, their departments', their own)."""
    return Case.objects.restrict(user).select_related(*CASE_RELATED)


def visible_case_or_404(user, pk, queryset=None) -> Case:
    case = (queryset if queryset is not None else visible_cases(user)).filter(pk=pk).first()
    if case is None:
        raise Http404(_("没有这个案件，或不在您的管辖范围内"))
    return case


# The order the forms appear in: the usual next step first, oversight last.
ACTION_ORDER = [
    "accept",
    "claim",
    "handle",
    "dispatch",
    "whistle",
    "report_in",
    "progress",
    "resolve",
    "callback",
    "rate",
    "close",
    "publish",
    "request_extension",
    "approve_extension",
    "escalate",
    "return",
    "reopen",
    "reject",
    "merge",
    "urge",
    "supervise",
]


def actions_for(user, case) -> list[str]:
    """The actions this user may take on the case now (the API's rule, one place)."""
    actions = allowed_actions(user, case)
    return sorted(actions, key=lambda a: ACTION_ORDER.index(a) if a in ACTION_ORDER else 99)


def grid_nodes(user):
    """The grids where the user is seated and reports cases (a grid worker's own grids)."""
    if user.is_superuser:
        return OrgNode.objects.none()
    return OrgNode.objects.filter(code__in=codes_with(user, "cases.report")).exclude(grid_kind="")


def workbench(user) -> dict:
    """Which work pages the user's verbs open (the header's links, and the pages' own
    check, so a link shows exactly where its page opens): the grid's queue for who reports
    in a grid, triage for who takes cases in above it, the board (督办) for who urges, data
    exchange for who imports or exports."""
    codes = codes_with(user, "cases.report") or []
    grids = set(grid_nodes(user).values_list("code", flat=True))
    triage = codes_with(user, "cases.accept") or []
    admin = user.is_superuser
    return {
        "list": True,
        "mine": not (codes or admin or department_ids(user)),
        "queue": bool(grids),
        "triage": admin or any(code not in grids for code in triage),
        "inbox": bool(department_ids(user)),
        "board": admin or bool(codes_with(user, "cases.urge")),
        "exchange": has(user, "exchange.import") or has(user, "exchange.export"),
    }


def require_page(user, page: str) -> None:
    """403 for a work page the user's verbs do not open (``workbench``)."""
    if not workbench(user)[page]:
        raise PermissionDenied


def _int(value, field: str, message: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(message, errors={field: [message]}) from None


def _unit(value: str, field: str) -> dict:
    """A form's "department:CODE" or "node:CODE" as the action's unit spec."""
    kind, _sep, code = value.partition(":")
    if kind not in ("department", "node") or not code:
        raise InvalidInput(_("请选择单位"), errors={field: [_("单位格式不对")]})
    return {kind: code}


def parse_version(post) -> int | None:
    try:
        return int(post.get("version", ""))
    except ValueError:
        return None


def action_data(action: str, post, user) -> dict:
    """The data of an action posted from a page form (the same keys the API takes)."""
    data = {name: post[name] for name in TEXT_FIELDS if name in post}
    data.update({name: post[name] for name in CHOICE_FIELDS if post.get(name)})
    if action == "dispatch":
        if post.get("lead"):
            data["lead"] = _unit(post["lead"], "lead")
        data["assist"] = [_unit(value, "assist") for value in post.getlist("assist") if value]
    elif action == "whistle":
        data["departments"] = [code for code in post.getlist("departments") if code]
    elif action == "request_extension":
        if post.get("working_days"):
            data["working_days"] = _int(post["working_days"], "working_days", _("延期天数应为整数"))
        elif post.get("until"):
            until = parse_datetime(post["until"])
            if until is None:
                raise InvalidInput(_("延期时间格式不对"), errors={"until": [_("时间格式不对")]})
            if timezone.is_naive(until):
                until = timezone.make_aware(until)
            data["until"] = until.isoformat()
    elif action == "approve_extension":
        data["approve"] = post.get("approve", "yes") != "no"
    elif action == "merge":
        data["into"] = _merge_target(post.get("into", ""), user)
    return data


def _merge_target(value: str, user) -> int:
    """A case number (JZ-…) or id typed by staff, as the id the merge action takes."""
    value = value.strip()
    number = form_int(value)
    if number is not None:
        return number
    target = Case.objects.restrict(user).filter(number=value).values_list("pk", flat=True).first()
    if target is None:
        raise InvalidInput(
            _("没有这个案件编号"), errors={"into": [_("没有这个案件，或不在您的范围")]}
        )
    return target


def map_data(case: Case, tile_url: str, attribution: str) -> dict | None:
    boundary = case.grid.geometry if case.grid_id else None
    point = {"lng": case.lng, "lat": case.lat} if case.lng is not None else None
    if boundary is None and point is None:
        return None
    return {
        "boundary": boundary,
        "point": point,
        "label": case.number,
        "tile_url": tile_url,
        "tile_attribution": attribution,
    }


def handler_name(case: Case, assignments) -> str:
    """Who holds (or held) the case: its lead unit's name, live or done, else the
    handling node's; the assignments are passed so a page that has them loads them once."""
    lead = next(
        (
            a
            for a in reversed(assignments)
            if a.role == "lead" and a.status in ("pending", "accepted", "done")
        ),
        None,
    )
    if lead is not None:
        return lead.unit_name
    return case.handling_node.name if case.handling_node_id else ""
