"""The rulebook: which duty holds which verb, and the two questions every app asks of it.

A verb is something a person may do in the platform (``cases.dispatch``, ``credit.award``…).
Every role has a duty (the platform's generic name for what the role does, whatever the
preset calls it) and is bound to a node of the tree; a person holds a verb at every node in
the subtrees of the seats whose duty holds it. ``DEFAULTS`` is the platform's table, taken
from the seeds; a preset changes it in its ``[permissions]`` table::

    [permissions.grant]
    grid_worker = ["cases.whistle"]      # 「建立“網格吹哨、各方響應”聯動聯處機制」
    [permissions.revoke]
    grid_leader = ["cases.close"]

Two functions are the only way any app asks (NetBox's ``restrict(user, action)``):

- ``has(user, verb, code)``: whether the user holds ``verb`` at the node ``code``;
- ``restrict(queryset, user, verb)``: the rows of ``queryset`` in the subtrees where the
  user holds ``verb``.

A seat bound to a department (``RoleAssignment.department``) holds its verbs for that
department's work only (``has(user, verb, department=id)``), not for the subtree of the
node it is seated at. Nothing here looks at a role's kind or name; who may *see* what is
drawn by ``org.scoping``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from org.codes import any_subtree_q
from org.scoping import restrict as visible
from presets.loader import PresetError, active_preset

# -- the verbs --------------------------------------------------------------------------

VERBS: dict[str, str] = {
    # The case loop (cases.transitions says in which states each applies).
    "cases.report": _("登记、上报诉求"),
    "cases.add_photo": _("补充照片"),
    "cases.accept": _("受理/签收"),
    "cases.reject": _("不予受理"),
    "cases.claim": _("认领"),
    "cases.handle": _("直接办理"),
    "cases.dispatch": _("派单"),
    "cases.return": _("退单"),
    "cases.whistle": _("吹哨"),
    "cases.report_in": _("报到"),
    "cases.request_extension": _("申请延期"),
    "cases.approve_extension": _("审批延期"),
    "cases.escalate": _("上报上级"),
    "cases.progress": _("填写进展"),
    "cases.resolve": _("办结"),
    "cases.callback": _("回访"),
    "cases.reopen": _("重办"),
    "cases.close": _("销号"),
    "cases.urge": _("催办"),
    "cases.supervise": _("督办"),
    "cases.merge": _("合并重复件"),
    "cases.publish": _("公示"),
    # Volunteers and credit points.
    "volunteer.take": _("接志愿服务订单"),
    "volunteer.post_for": _("代居民点单"),
    "volunteer.manage": _("管理志愿服务订单"),
    "credit.award": _("记录积分"),
    "credit.keep_store": _("管理信用超市"),
    # Data exchange.
    "exchange.import": _("导入名册和热线工单"),
    "exchange.export": _("导出"),
    "exchange.configure": _("配置热线系统和列映射"),
    "exchange.import_catalogue": _("导入事项清单"),
    # The tree's outlines (county, street, community, grid boundaries from GIS files).
    "org.import_boundaries": _("导入行政区划和网格边界"),
    # The tree itself: administrative divisions and grids (统一编号赋码).
    "org.import_divisions": _("导入行政区划和网格"),
    # Personal data.
    "residents.reveal": _("查看完整个人信息"),
    "residents.export": _("导出未脱敏的个人信息"),
    # Assessment (analytics.assessment, analytics.awards).
    "analytics.evaluate": _("组织评价打分"),
    "analytics.award": _("确认和公示十佳、公布排名"),
    # Leaders' view (issue 12): KPIs, rankings, reports and dashboards of a subtree.
    "analytics.view": _("查看统计和看板"),
    # Periodic reports on demand (the schedule writes them by itself).
    "analytics.report": _("生成统计报告"),
    # The grid worker's day (issue 13): patrols of their grid, with track and findings.
    "patrol.patrol": _("巡查"),
    # Household visits and key populations' care (issue 13).
    "patrol.visit": _("入户走访、关爱联系"),
    "patrol.plan_care": _("制定关爱计划"),
}

# -- the platform's table, from the seeds ----------------------------------------------

# Report a case and add photos: everyone who works a grid (the 八员 「反映問題」).
INTAKE = {"cases.report", "cases.add_photo"}
# Grid workers take and handle small matters on the spot (吉州: 「簡易問題由網格員自辦自結」;
# 荣成: 「小事即時辦」), escalate what they cannot, and call residents back.
ON_THE_SPOT = INTAKE | {
    "cases.accept",
    "cases.claim",
    "cases.handle",
    "cases.progress",
    "cases.request_extension",
    "cases.resolve",
    "cases.escalate",
    "cases.return",
    "cases.callback",
    "cases.urge",
}
# Community and street staff triage: they refuse, dispatch, merge and close
# (张掖: 「社區呼叫、分級響應」; 福州: 「派單、協調、辦理、督辦」).
TRIAGE = ON_THE_SPOT | {
    "cases.reject",
    "cases.dispatch",
    "cases.merge",
    "cases.close",
    "cases.publish",
    "cases.reopen",
}
# The whistle is the community's (荣成: 「哨子由社區吹」; 福州: 「吹哨權」) and above it.
WHISTLE = {"cases.whistle"}
OVERSIGHT = {"cases.urge", "cases.supervise", "cases.approve_extension", "cases.reopen"}
# Departments handle what is dispatched to them and report in when summoned.
UNIT = {
    "cases.accept",
    "cases.return",
    "cases.progress",
    "cases.request_extension",
    "cases.resolve",
    "cases.escalate",
    "cases.report_in",
    "cases.add_photo",
}
# The grid's forces take volunteer orders (张掖: 「志願服務超市…接單」).
FORCES = {"volunteer.take"}
# Keepers record good deeds and manage volunteer orders (platform default: the seeds do
# not say who records good deeds); credit stores belong to communities and streets, kept
# by their staff and those above them.
KEEPER = {"credit.award", "volunteer.manage", "volunteer.post_for"}
STORE = {"credit.keep_store"}
OFFICE = {"exchange.import", "exchange.export"}
# Who configures the city also draws its map: boundaries change the point→grid index.
CONFIGURE = {"exchange.configure", "org.import_boundaries"}
# The matter catalogue is one list for the whole installation: imported at the root.
CATALOGUE = {"exchange.import_catalogue"}
# The tree (divisions down to grids, their unified codes) is drawn by the district and the
# streets: 福州 「全市统一编号赋码」 by the grid centre; streets divide their communities
# into grids. Communities and grids import their registers (exchange.import) but do not
# redraw the tree.
DIVISIONS = {"org.import_divisions"}
# Reveal only for those who call and visit residents (DESIGN: 「revealed only to roles that
# need it」): the community secretary and the grid's own workers; unmasked exports only for
# the community secretary, who also exports.
REVEAL = {"residents.reveal"}
# 福州's 评议权: 「对社区采取量化考核、组织评价、群众评议」; the level above scores the level
# below (``has(…, above=True)``), never its own node. Honours and the published rankings
# are the district's (吉州: 「評選表彰“十佳吉州格格”…」).
EVALUATE = {"analytics.evaluate"}
AWARD = {"analytics.award"}
# The figures of their subtree for everyone who leads or works one, grids included (the
# seeds assess grids and rank grid workers: 吉州 「十佳吉州格格」); not for departments,
# whose seats act for their own work only, nor for residents and the grid's forces.
STATS = {"analytics.view"}
# Reports on demand: those who hold the reviews (吉州 「一月一調度」 by the district; 张掖
# 「社區大黨委每月聽取匯報，街道黨工委每季度調度」), i.e. the leaders, district, street and the
# community secretary; everyone else reads the scheduled ones.
REPORT = {"analytics.report"}
# Household visits and care contacts: everyone who works a grid on foot (张掖: 「開展“敲門連心”…
# 采取“一訪”(入戶走訪每月不少于1次)」, down to 「樓棟長(單元長)」 of its six-level network).
VISIT = {"patrol.visit"}
# Care plans (how often each key-population resident is contacted, by whom) are set by the
# community's staff and the grid leader, the street and district above them (platform
# default: the seeds name the 老人關愛手機 but not who plans the care).
PLAN_CARE = {"patrol.plan_care"}

# Patrol is the grid's full-time workers' (荣成: 「明确每日4小时网格巡查工作标准」 for the
# grid workers; the emergency and mobile grid workers 巡查 too).
PATROL = {"patrol.patrol"}

DEFAULTS: dict[str, frozenset[str]] = {
    duty: frozenset(verbs)
    for duty, verbs in {
        "leader": TRIAGE
        | WHISTLE
        | OVERSIGHT
        | KEEPER
        | STORE
        | OFFICE
        | CONFIGURE
        | CATALOGUE
        | DIVISIONS
        | EVALUATE
        | AWARD
        | REPORT
        | STATS
        | PLAN_CARE,
        "district_staff": TRIAGE
        | WHISTLE
        | OVERSIGHT
        | KEEPER
        | STORE
        | OFFICE
        | CONFIGURE
        | DIVISIONS
        | EVALUATE
        | AWARD
        | REPORT
        | STATS
        | PLAN_CARE,
        "supervisor": INTAKE | OVERSIGHT | {"exchange.export"} | STATS,
        "street_staff": TRIAGE
        | WHISTLE
        | OVERSIGHT
        | KEEPER
        | STORE
        | OFFICE
        | DIVISIONS
        | CONFIGURE
        | EVALUATE
        | REPORT
        | STATS
        | PLAN_CARE,
        "community_secretary": TRIAGE
        | WHISTLE
        | OVERSIGHT
        | KEEPER
        | STORE
        | OFFICE
        | REVEAL
        | EVALUATE
        | REPORT
        | {"residents.export"}
        | STATS
        | PLAN_CARE,
        "community_worker": TRIAGE | WHISTLE | KEEPER | STORE | OFFICE | STATS | PLAN_CARE,
        "work_committee_member": TRIAGE | WHISTLE | KEEPER | STORE | OFFICE | STATS | PLAN_CARE,
        # 张掖: 「居民監督委員會電話回訪」
        "supervision_committee": INTAKE | {"cases.callback"},
        # Grid workers live in Excel too: their grid's registers, masked.
        "grid_leader": ON_THE_SPOT
        | FORCES
        | KEEPER
        | REVEAL
        | {"exchange.export"}
        | STATS
        | PATROL
        | VISIT
        | PLAN_CARE,
        "grid_worker": ON_THE_SPOT
        | FORCES
        | KEEPER
        | REVEAL
        | {"exchange.export"}
        | STATS
        | PATROL
        | VISIT,
        "emergency_grid_worker": INTAKE | FORCES | PATROL | VISIT,
        "mobile_grid_worker": INTAKE | FORCES | PATROL | VISIT,
        "building_leader": INTAKE | FORCES | VISIT,
        "unit_leader": INTAKE | FORCES | VISIT,
        "lane_steward": INTAKE | FORCES | VISIT,
        "grid_member": INTAKE | FORCES | VISIT,
        "volunteer": INTAKE | FORCES,
        "registered_member": INTAKE | FORCES,
        "service_worker": INTAKE | FORCES,
        "service_specialist": INTAKE | FORCES,
        "finance_manager": INTAKE | FORCES,
        # Partner units (共建单位) report; their seats see no residents, so no orders either.
        "partner_unit": INTAKE,
        "enforcement_officer": INTAKE | UNIT,
        "department_staff": UNIT | {"exchange.export"},
        # A resident reports as the public does (their own page, the QR form): no verb.
        "resident": set(),
    }.items()
}


def duty_table(section) -> dict[str, frozenset[str]]:
    """The platform's table with a preset's ``[permissions]`` grants and revocations
    (the typed section, ``org.preset.Permissions``; its schema refuses unknown verbs)."""
    table = dict(DEFAULTS)
    for duty, verbs in section.grant.items():
        table[duty] = table.get(duty, frozenset()) | frozenset(verbs)
    for duty, verbs in section.revoke.items():
        table[duty] = table.get(duty, frozenset()) - frozenset(verbs)
    return table


_table_cache: dict = {}


def active_table() -> dict[str, frozenset[str]]:
    """The active preset's table, rebuilt only when another preset is loaded."""
    try:
        preset = active_preset()
    except PresetError:  # an installation before its preset is loaded: the platform's table
        return DEFAULTS
    if _table_cache.get("of") is not preset:
        _table_cache.update(of=preset, table=duty_table(preset.permissions))
    return _table_cache["table"]


def verbs_of(duty: str) -> frozenset[str]:
    return active_table().get(duty, frozenset())


def duties_with(verb: str) -> list[str]:
    """The duties holding ``verb`` in the active table (whom to notify, whom to pick)."""
    return sorted(duty for duty, verbs in active_table().items() if verb in verbs)


# -- the user's seats ---------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    code: str  # the node the role is bound to
    department_id: int | None  # a department's seat acts for that department only
    verbs: frozenset[str]


_SEATS_ATTR = "_gridgov_seats"


def seats(user) -> list[Seat]:
    """The user's roles as seats with their verbs; kept on the user object for the request,
    as the scope is, so a list page asks the database once and not once per row."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _SEATS_ATTR, None)
    if cached is None:
        table = active_table()
        cached = [
            Seat(code, department_id, table.get(duty, frozenset()))
            for code, department_id, duty in user.assignments.values_list(
                "node__code", "department_id", "role__duty"
            )
        ]
        setattr(user, _SEATS_ATTR, cached)
    return cached


def has(
    user, verb: str, code: str | None = None, *, department: int | None = None, above=False
) -> bool:
    """Whether ``user`` holds ``verb`` at the node ``code`` (its subtree's seats), for the
    department ``department`` (that department's seats), or anywhere when neither is given.
    ``above``: only from a seat strictly above ``code`` (supervision of the level below).
    A superuser holds every verb. Raises KeyError for a verb that is not in VERBS."""
    if verb not in VERBS:
        raise KeyError(f"unknown verb {verb!r}")
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for seat in seats(user):
        if verb not in seat.verbs:
            continue
        if department is not None:
            if seat.department_id == department:
                return True
        elif code is None:
            return True
        elif seat.department_id is None and code.startswith(seat.code):
            if not above or code != seat.code:
                return True
    return False


def codes_with(user, verb: str) -> list[str] | None:
    """Codes of the nodes at which the user holds ``verb`` (their subtrees are where it
    applies); None means everywhere (a superuser)."""
    if verb not in VERBS:
        raise KeyError(f"unknown verb {verb!r}")
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return [s.code for s in seats(user) if verb in s.verbs and s.department_id is None]


def restrict(queryset, user, verb: str):
    """``queryset`` narrowed to the rows in the subtrees where the user holds ``verb``,
    placed in the tree by the model's ``scope_field``, within what the user may see."""
    codes = codes_with(user, verb)
    queryset = visible(queryset, user)
    if codes is None:
        return queryset
    return queryset.filter(any_subtree_q(codes, queryset.model.scope_field))
