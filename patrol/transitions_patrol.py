"""A patrol's lifecycle as one table, run by the workflow engine (``patrol.patrols.PATROLS``).

Starting is the patrol's creation (``patrol.patrols.do_start_patrol``, verb
``patrol.patrol``), written on the timeline as ``start``. After that only the patrol's own
worker ends it, or cancels one started by mistake (its hours then count for nothing).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.workflow import Transition
from gridgov.workflow import transition as _t
from patrol.models.patrols import PatrolStatus as S

TABLE: dict[tuple[str, str], Transition] = {
    (S.ON_PATROL, "end"): _t(S.ENDED, "worker"),
    (S.ON_PATROL, "cancel"): _t(S.CANCELLED, "worker"),
}

ACTION_NAMES = {"end": _("结束巡查"), "cancel": _("取消巡查")}
EVENT_NAMES = {
    "start": _("开始巡查"),
    **ACTION_NAMES,
    "finding": _("巡查发现"),
    "left_grid": _("轨迹离开网格"),
}
