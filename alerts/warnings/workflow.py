"""A warning's lifecycle as one table on the workflow engine (``gridgov.workflow``):

    open ──acknowledge──▶ acknowledged ──deal──▶ dealt
      └───────────────────deal─────────────────────┘

``handler``: holds ``alerts.handle`` at the warning's node (its grid's workers, the
community, street and district above, supervisors); ``owner``: the warning's owner, who
may always act on their own. Dealing with a warning needs a note of what was done.
"""

from django.utils.translation import gettext_lazy as _

from alerts.models import Warning, WarningEvent, WarningStatus
from gridgov import workflow
from gridgov.errors import InvalidInput
from gridgov.workflow import Transition
from gridgov.workflow import transition as _t
from org.permissions import has
from outbox.notify import notify

S = WarningStatus
TABLE: dict[tuple[str, str], Transition] = {
    (S.OPEN, "acknowledge"): _t(S.ACKNOWLEDGED, "handler", "owner"),
    (S.OPEN, "deal"): _t(S.DEALT, "handler", "owner"),
    (S.ACKNOWLEDGED, "deal"): _t(S.DEALT, "handler", "owner"),
}
ACTION_NAMES = {"acknowledge": _("签收"), "deal": _("处置")}
EVENT_NAMES = {"open": _("发现"), "update": _("更新"), "clear": _("已消除"), **ACTION_NAMES}
NOTE_MAX = 1000


def _acknowledge(step: workflow.Step):
    step.note = str(step.data.get("note", "") or "").strip()[:200]
    step.set(acknowledged_at=step.now)
    _tell_owner(step, "warning_acknowledged", f"预警已签收：{step.obj.title}")


def _deal(step: workflow.Step):
    note = str(step.data.get("note", "") or "").strip()
    if not note:
        raise InvalidInput("请填写处置情况", errors={"note": ["不能为空"]})
    step.note = note[:NOTE_MAX]
    step.set(dealt_at=step.now, dealt_note=step.note)
    if step.obj.acknowledged_at is None:
        step.set(acknowledged_at=step.now)
    _tell_owner(step, "warning_dealt", f"预警已处置：{step.obj.title}", step.note)


def _tell_owner(step, event, title, body=""):
    owner = step.obj.owner
    if owner is not None and owner.pk != step.actor.pk:
        step.tell(event, [owner], title, body)


class WarningWorkflow(workflow.Workflow):
    model = Warning
    event_model = WarningEvent
    subject_field = "warning"
    table = TABLE
    handlers = {"acknowledge": _acknowledge, "deal": _deal}
    names = ACTION_NAMES
    noun = "预警"
    select_related = ("node", "owner")

    def holds(self, actor, warning, relation, action, context):
        if not actor.is_authenticated:
            return False
        if relation == "owner":
            return warning.owner_id == actor.pk
        return has(actor, "alerts.handle", warning.node.code)

    def notify(self, warning, event, users, title, body, at):
        notify(warning, event, users, title, body, at=at)


WARNINGS = WarningWorkflow()


def do_warning_action(pk: int, action: str, *, actor, version=None, data=None, at=None) -> Warning:
    """Acknowledge or deal with the warning ``pk`` (``WARNINGS.apply``): 400 without a note
    to deal, 403 without the relation, 409 on a stale ``version`` or a warning already
    dealt with."""
    return WARNINGS.apply(pk, action, actor=actor, version=version, data=data, at=at)


def allowed_actions(user, warning: Warning) -> list[str]:
    return WARNINGS.allowed_actions(user, warning)
