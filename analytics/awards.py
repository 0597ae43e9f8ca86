"""十佳 lists (吉州: 「評選表彰“十佳吉州格格”“十佳矛盾糾紛調解員”“十佳平安志愿者”“十佳社區
干警”等先進典型」): proposed from the data, edited and confirmed by a leader, published.

A list's lifecycle runs on the workflow engine (``gridgov.workflow``)::

    proposed --edit--> proposed --confirm--> confirmed --publish--> published
                                  confirmed --reopen--> proposed

Every action needs ``analytics.award`` at the list's node (relation ``awarder``); a stale
``version`` is 409, an action out of its state 409, without the verb 403. Publishing
announces the list through the outbox (event ``award_published``: the named people's inboxes
and any webhook subscribed) and shows it on the public page.

What each ``[[awards]]`` ``source`` proposes from (the preset says which):

- ``worker_score``: the grid workers' monthly assessment scores (``analytics.assessment``'s
  ``workers`` ranking), mean over the year's computed months; equal means are ordered by
  the mean monthly rank (the ranking's tie-breakers: unrounded total, 满意率, 按时办结率,
  受理量), then by cases closed in the year;
- ``worker_closed``: the grid workers holding the award's ``roles``, by the cases closed
  in their grids in the year (KPI ``closed`` by worker, ``analytics.kpis``);
- ``department``: the people seated in departments of the award's ``department_kinds``
  (吉州's 社区干警: police), in the order of their department's closed cases in the year
  (KPI by handling unit: the query has no per-person figure for departments);
- ``volunteer_hours``: volunteers by the hours of their confirmed orders in the year
  (``participation``'s 志愿服务订单);
- ``manual``: no data says who (mediators: the KPI query cuts by worker or by matter group,
  not both); the leader fills the list by hand.

A list may be public: people are named by ``analytics.assessment.person_name`` (never
their account code), grid workers with their grid.
"""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from analytics.assessment import person_name
from analytics.kpis import kpis
from analytics.models import AwardEntry, AwardEvent, AwardList, MonthlyScore
from analytics.models import AwardStatus as S
from gridgov import workflow
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from gridgov.workflow import Transition
from gridgov.workflow import transition as _t
from org.models import OrgNode, RoleAssignment, User
from org.permissions import has
from outbox.notify import notify
from participation.models import OrderStatus, ServiceOrder
from presets.loader import PresetError, active_section

VERB = "analytics.award"
MAX_ENTRIES = 50

TABLE: dict[tuple[str, str], Transition] = {
    (S.PROPOSED, "edit"): _t(S.PROPOSED, "awarder"),
    (S.PROPOSED, "confirm"): _t(S.CONFIRMED, "awarder"),
    (S.CONFIRMED, "reopen"): _t(S.PROPOSED, "awarder"),
    (S.CONFIRMED, "publish"): _t(S.PUBLISHED, "awarder"),
}
ACTION_NAMES = {
    "edit": _("修改名单"),
    "confirm": _("确认"),
    "reopen": _("退回修改"),
    "publish": _("公示"),
}
EVENT_NAMES = {"propose": _("提名"), **ACTION_NAMES}
BASIS = {
    "worker_score": "网格员月度考核得分（年度平均）",
    "worker_closed": "本年度办结案件数",
    "department": "本年度办结案件数（所在部门）",
    "volunteer_hours": "本年度志愿服务时长（已确认的订单）",
    "manual": "暂无可据以提名的数据，请手工填写",
}


def awards() -> dict:
    try:
        return {award.key: award for award in active_section("awards")}
    except PresetError:
        return {}


# -- proposals from the data ----------------------------------------------------------------


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _names(usernames) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=list(usernames))}


def _by_closed(node: OrgNode, year: int, allowed: set[str]) -> list[dict]:
    start, end = _year(year)
    rows = [r for r in kpis(node.code, start, end, group_by="worker") if r["key"] in allowed]
    rows = [r for r in rows if r["closed"]]
    rows.sort(key=lambda r: (-r["closed"], r["key"]))
    users = _names(r["key"] for r in rows)
    grids = dict(
        RoleAssignment.objects.filter(user__username__in=list(users), node__in=_grids(node))
        .order_by("-node__code")
        .values_list("user__username", "node__name")
    )
    return [
        {
            "user": users.get(r["key"]),
            "name": _with_grid(person_name(users.get(r["key"]), public=True), grids, r["key"]),
            "figure": f"办结 {r['closed']} 件",
        }
        for r in rows
    ]


def _grids(node: OrgNode):
    return OrgNode.objects.filter(code__startswith=node.code, level__kind="grid")


def _with_grid(name: str, grids: dict, username: str) -> str:
    return f"{name}（{grids[username]}）" if username in grids else name


def propose(award, node: OrgNode, year: int) -> list[dict]:
    """Candidates best first: ``{"user", "name", "figure", "unit"}`` (up to ``award.top``)."""
    seats = RoleAssignment.objects.filter(node__code__startswith=node.code)
    if award.source == "worker_score":
        scores, ranks, closed = defaultdict(list), defaultdict(list), defaultdict(int)
        names = {}
        for key, name, total, rank, kpi in MonthlyScore.objects.filter(
            ranking__kind="workers",
            ranking__month__year=year,
            scope_code__startswith=node.code,
            total__isnull=False,
        ).values_list("key", "name", "total", "rank", "kpi"):
            scores[key].append(float(total))
            ranks[key].append(rank)
            closed[key] += (kpi or {}).get("closed") or 0
            names[key] = name
        means = sorted(
            (
                (sum(v) / len(v), sum(ranks[k]) / len(ranks[k]), closed[k], k)
                for k, v in scores.items()
            ),
            key=lambda m: (-round(m[0], 1), m[1], -m[2], m[3]),
        )
        users = _names(scores)
        found = [
            {
                "user": users.get(k),
                "name": names[k],
                "figure": f"平均 {mean:.1f} 分 · 平均名次 {rank:.1f} · 办结 {n} 件",
            }
            for mean, rank, n, k in means
        ]
    elif award.source == "worker_closed":
        allowed = set(
            seats.filter(role__code__in=award.roles).values_list("user__username", flat=True)
        )
        found = _by_closed(node, year, allowed)
    elif award.source == "department":
        # The KPI query counts a department's cases, not each of its people's: its staff
        # are proposed in the order of their department's closed cases; the leader picks.
        start, end = _year(year)
        closed = {r["key"]: r["closed"] for r in kpis(node.code, start, end, group_by="unit")}
        staff = (
            RoleAssignment.objects.filter(department__kind__in=award.department_kinds)
            .select_related("user", "department")
            .order_by("department__code", "user__username")
        )
        ranked = sorted(
            (s for s in staff if closed.get(s.department.code)),
            key=lambda s: (-closed[s.department.code], s.department.code, s.user.username),
        )
        found = [
            {
                "user": s.user,
                "name": person_name(s.user, public=True),
                "unit": s.department.name,
                "figure": f"{s.department.name}办结 {closed[s.department.code]} 件",
            }
            for s in ranked
        ]
    elif award.source == "volunteer_hours":
        found = [
            {
                "user": User(pk=row["taker"]),
                "name": row["taker__display_name"] or "志愿者",
                "figure": f"服务 {row['hours']} 小时 / {row['orders']} 单",
            }
            for row in ServiceOrder.objects.filter(
                status=OrderStatus.CONFIRMED,
                node__code__startswith=node.code,
                done_at__year=year,
            )
            .values("taker", "taker__display_name", "taker__username")
            .annotate(hours=Sum("hours"), orders=Count("pk"))
            .order_by("-hours", "-orders", "taker")
        ]
    else:
        found = []
    return found[: award.top]


@transaction.atomic
def do_propose_award_list(award_key: str, year: int, node_code: str, *, actor) -> AwardList:
    """Open the year's list of an award at a node, proposed from the data. Raises
    InvalidInput (400: no such award or node), NotPermitted (403) or Conflict (409: the
    year's list exists)."""
    award = awards().get(award_key)
    if award is None:
        raise InvalidInput("没有这个评选项目", errors={"award": ["无效"]})
    node = OrgNode.objects.filter(code=str(node_code or "")).first()
    if node is None:
        raise InvalidInput("没有这个节点", errors={"node": ["无效"]})
    if not has(actor, VERB, node.code):
        raise NotPermitted("您不能在这里提名十佳")
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度无效", errors={"year": ["无效"]})
    if AwardList.objects.filter(award=award.key, year=year, node=node).exists():
        raise Conflict(f"{year}年的「{award.name}」已有名单", code="exists")
    try:
        with transaction.atomic():
            award_list = AwardList.objects.create(
                award=award.key,
                name=award.name,
                year=year,
                node=node,
                basis=BASIS[award.source],
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(f"{year}年的「{award.name}」已有名单", code="exists") from None
    candidates = propose(award, node, year)
    AwardEntry.objects.bulk_create(
        AwardEntry(
            award_list=award_list,
            rank=index,
            name=c["name"][:100],
            user_id=c["user"].pk if c["user"] else None,
            unit=c.get("unit", "")[:100],
            figure=c["figure"][:100],
        )
        for index, c in enumerate(candidates, 1)
    )
    AwardEvent.objects.create(
        award_list=award_list,
        action="propose",
        actor=actor,
        at=award_list.created_at,
        to_status=award_list.status,
        data={"proposed": len(candidates)},
    )
    return award_list


# -- the workflow ---------------------------------------------------------------------------


def parse_entries(text: str) -> list[tuple[str, str]]:
    """One person a line, ``姓名`` or ``姓名 所在单位`` (a space or a comma between)."""
    entries = []
    for line in str(text or "").splitlines():
        line = line.replace("，", ",").replace(",", " ").strip()
        if line:
            name, _, unit = line.partition(" ")
            entries.append((name[:100], unit.strip()[:100]))
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"名单最多 {MAX_ENTRIES} 人", errors={"entries": ["过多"]})
    return entries


def _edit(step: workflow.Step):
    entries = parse_entries(step.data.get("entries", ""))
    award_list = step.obj
    known = {(e.name, e.unit): e for e in award_list.entries.all()}
    kept = {e.name: e for e in known.values()}
    award_list.entries.all().delete()
    AwardEntry.objects.bulk_create(
        AwardEntry(
            award_list=award_list,
            rank=index,
            name=name,
            unit=unit,
            user_id=kept[name].user_id if name in kept else None,
            figure=kept[name].figure if name in kept else "手工填写",
        )
        for index, (name, unit) in enumerate(entries, 1)
    )
    step.note = str(step.data.get("note", "")).strip()[:200]
    step.event_data = {
        "before": [name for name, _ in known],
        "after": [name for name, _ in entries],
    }


def _confirm(step: workflow.Step):
    if not step.obj.entries.exists():
        raise InvalidInput("名单为空，不能确认", errors={"entries": ["不能为空"]})


def _reopen(step: workflow.Step):
    step.note = str(step.data.get("note", "")).strip()[:200]


def _publish(step: workflow.Step):
    award_list = step.obj
    step.set(published_at=step.now)
    named = [e.user for e in award_list.entries.select_related("user") if e.user_id]
    step.tell(
        "award_published",
        [*named, award_list.created_by],
        f"{award_list.year}年「{award_list.name}」名单已公示",
        "、".join(award_list.entries.values_list("name", flat=True)),
    )


class AwardWorkflow(workflow.Workflow):
    model = AwardList
    event_model = AwardEvent
    subject_field = "award_list"
    table = TABLE
    handlers = {"edit": _edit, "confirm": _confirm, "reopen": _reopen, "publish": _publish}
    names = ACTION_NAMES
    noun = "名单"
    select_related = ("node", "created_by")

    def holds(self, actor, award_list, relation, action, context):
        return relation == "awarder" and has(actor, VERB, award_list.node.code)

    def notify(self, award_list, event, users, title, body, at):
        notify(
            award_list,
            event,
            users,
            title,
            body,
            at=at,
            payload={"year": award_list.year, "award": award_list.award},
        )


AWARDS = AwardWorkflow()


def do_award_action(pk: int, action: str, *, actor, version=None, data=None) -> AwardList:
    """Apply ``action`` to the list (``AWARDS.apply``): 403 without ``analytics.award``,
    409 when stale or out of its state."""
    return AWARDS.apply(pk, action, actor=actor, version=version, data=data)
