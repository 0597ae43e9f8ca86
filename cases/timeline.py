"""What a resident is told of their case's timeline: the steps in plain words, never who
took them, and a note only where it is the answer to them (a refusal's reason, a progress
note, why it is handled again), with phones, ID
and card numbers and e-mail addresses masked (``gridgov.masking``). The resident's
tracking page and Open311's ``status_notes`` both read it from here."""

from django.utils.translation import gettext_lazy as _

from cases.models import Status
from gridgov.masking import mask_text

PUBLIC_STEPS = {
    "submit": _("已提交"),
    "accept": _("已受理"),
    "claim": _("已受理"),
    "handle": _("已受理，由社区（网格）直接办理"),
    "dispatch": _("已派单办理"),
    "reject": _("不予受理"),
    "escalate": _("已上报上级协调办理"),
    "whistle": _("已召集相关部门联合办理"),
    "progress": _("办理中"),
    "resolve": _("已办结"),
    "callback": _("已回访"),
    "rate": _("已评价"),
    "reopen": _("重新办理"),
    "close": _("已办完"),
    "merge": _("已与同类诉求合并办理"),
    "publish": _("已在社区公示"),
}
# A case's status as residents are told it: no internal words (已派单, 已销号).
PUBLIC_STATUS = {
    Status.SUBMITTED: _("已提交，等待受理"),
    Status.ACCEPTED: _("已受理"),
    Status.DISPATCHED: _("办理中"),
    Status.IN_PROGRESS: _("办理中"),
    Status.RESOLVED: _("已办好，请您评价"),
    Status.CLOSED: _("已办完"),
    Status.REJECTED: _("不予受理"),
}
NOTE_SHOWN = {"reject", "progress", "reopen"}
# Steps after which the case's result is the answer (unless an unsatisfied rating reopened it).
RESULT_SHOWN = {"resolve", "callback", "rate", "close", "publish"}


def public_status(status: str) -> str:
    """The words for a case's status on residents' pages (tracking, their own list)."""
    return str(PUBLIC_STATUS.get(status, ""))


def public_label(action: str, *, from_status: str = "", reopened: bool = False) -> str | None:
    """The words for one timeline event, or None for a step residents are not told of."""
    if action == "accept" and from_status == Status.DISPATCHED:
        return str(_("承办部门已签收"))
    label = PUBLIC_STEPS.get(action)
    if label is None:
        return None
    if reopened and action in ("callback", "rate"):
        return str(_("%s（不满意，重新办理）") % label)
    return str(label)


def public_note(action: str, note: str) -> str:
    """The note residents see with a step: masked, and only for NOTE_SHOWN steps."""
    return mask_text(note).strip() if action in NOTE_SHOWN else ""


def public_steps(events) -> list[dict]:
    """A case's events as residents see them: [{"at", "label", "note"}], in order."""
    steps = []
    for event in events:
        label = public_label(
            event.action, from_status=event.from_status, reopened=event.data.get("reopened", False)
        )
        if label is not None:
            steps.append(
                {"at": event.at, "label": label, "note": public_note(event.action, event.note)}
            )
    return steps
