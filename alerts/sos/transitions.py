"""An alarm's lifecycle as one table on the workflow engine (``gridgov.workflow``;
``alerts.sos.actions.ALARMS``): open → acknowledged → arrived → closed, and a false alarm
or a cancellation while it is live. Arriving straight from open also acknowledges it (the
worker who was nearest ran there first). Escalation steps and repeated presses are timeline
rows of an open alarm, not transitions.

The one relation, ``responder``: holds ``alerts.respond`` at the alarm's grid
(``org.permissions.has``)."""

from django.utils.translation import gettext_lazy as _

from alerts.models import AlarmStatus as S
from gridgov.workflow import Transition
from gridgov.workflow import transition as _t

TABLE: dict[tuple[str, str], Transition] = {
    (S.OPEN, "acknowledge"): _t(S.ACKNOWLEDGED, "responder"),
    (S.OPEN, "arrive"): _t(S.ARRIVED, "responder"),
    (S.ACKNOWLEDGED, "arrive"): _t(S.ARRIVED, "responder"),
    (S.ACKNOWLEDGED, "close"): _t(S.CLOSED, "responder"),
    (S.ARRIVED, "close"): _t(S.CLOSED, "responder"),
    (S.OPEN, "false_alarm"): _t(S.FALSE_ALARM, "responder"),
    (S.ACKNOWLEDGED, "false_alarm"): _t(S.FALSE_ALARM, "responder"),
    (S.ARRIVED, "false_alarm"): _t(S.FALSE_ALARM, "responder"),
    (S.OPEN, "cancel"): _t(S.CANCELLED, "responder"),
    (S.ACKNOWLEDGED, "cancel"): _t(S.CANCELLED, "responder"),
}

ACTION_NAMES = {
    "acknowledge": _("响应"),
    "arrive": _("已到场"),
    "close": _("处置完毕"),
    "false_alarm": _("标为误报"),
    "cancel": _("撤销"),
}
EVENT_NAMES = {
    "press": _("按键求助"),
    "escalate": _("通知"),
    "to_case": _("转为案件"),
    **ACTION_NAMES,
}
