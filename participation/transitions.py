"""A volunteer order's lifecycle as one table, run by the workflow engine
(``gridgov.workflow``; ``participation.actions.ORDERS``).

Who may is one of the order's relations, decided in ``participation.permissions``:
requester (who asked, or posted it for a resident), taker (who took it), volunteer (the
grid's forces holding ``volunteer.take``), manager (the grid's and community's keepers
holding ``volunteer.manage``). ``unless``: the taker may not confirm their own hours nor
cancel an order they hold, whatever else they are.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.workflow import Transition
from gridgov.workflow import transition as _t
from participation.models import OrderStatus as S

TABLE: dict[tuple[str, str], Transition] = {
    (S.OPEN, "take"): _t(S.TAKEN, "volunteer"),
    (S.TAKEN, "release"): _t(S.OPEN, "taker", "manager"),
    (S.TAKEN, "complete"): _t(S.DONE, "taker"),
    # Points are paid when someone other than the volunteer confirms the hours.
    (S.DONE, "confirm"): _t(S.CONFIRMED, "requester", "manager", unless=("taker",)),
    # Also once taken: a volunteer who never comes must not leave the resident stuck.
    (S.OPEN, "cancel"): _t(S.CANCELLED, "requester", "manager", unless=("taker",)),
    (S.TAKEN, "cancel"): _t(S.CANCELLED, "requester", "manager", unless=("taker",)),
}

ACTION_NAMES = {
    "take": _("接单"),
    "release": _("退回"),
    "complete": _("完成"),
    "confirm": _("确认完成"),
    "cancel": _("取消"),
}
ACTIONS = sorted(ACTION_NAMES)
