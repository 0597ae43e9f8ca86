"""The lifecycles of an emergency switch and of a call-up, as tables run by the workflow
engine (``gridgov.workflow``; ``emergency.actions.ACTIVATIONS`` / ``CALLUPS``).

Relations (``emergency.permissions``): ``switcher`` holds ``emergency.switch`` at the
switched node; ``member`` is the called-up person's own account; ``commander`` holds
``emergency.command`` at the call-up's grid (a staff member checks someone in)."""

from django.utils.translation import gettext_lazy as _

from emergency.models import ActivationStatus as A
from emergency.models import CallUpStatus as C
from gridgov.workflow import Transition
from gridgov.workflow import transition as _t

ACTIVATION_TABLE: dict[tuple[str, str], Transition] = {
    (A.ACTIVE, "end"): _t(A.ENDED, "switcher"),
}
CALLUP_TABLE: dict[tuple[str, str], Transition] = {
    (C.CALLED, "check_in"): _t(C.CHECKED_IN, "member", "commander"),
}

ACTIVATION_NAMES = {"end": _("恢复平时")}
CALLUP_NAMES = {"check_in": _("签到")}
# Rows of the switch's timeline written outside the table: the switch itself and tasks.
EVENT_NAMES = {"switch": _("转入应急状态"), "task": _("下达任务"), **ACTIVATION_NAMES}
