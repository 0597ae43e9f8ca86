"""How a person stands to an emergency switch or a call-up: the relations named in
``emergency.transitions``, with the verbs of the capability table (``org.permissions``)."""

from emergency.models import Activation, CallUp, Team
from org.permissions import codes_with, has

SWITCH = "emergency.switch"
COMMAND = "emergency.command"


def holds_activation(user, activation, relation: str) -> bool:
    """switcher: holds ``emergency.switch`` at the switched node."""
    return relation == "switcher" and has(user, SWITCH, activation.node.code)


def holds_callup(user, callup, relation: str) -> bool:
    """member: the called-up person themselves; commander: ``emergency.command`` at the
    call-up's grid."""
    if not user.is_authenticated:
        return False
    if relation == "member":
        return callup.registration.user_id == user.pk
    return relation == "commander" and has(user, COMMAND, callup.grid.code)


def may_switch(user, code: str) -> bool:
    return has(user, SWITCH, code)


def may_command(user, code: str) -> bool:
    return has(user, COMMAND, code)


def works_emergencies(user) -> bool:
    """Staff of 平急转换: holds ``emergency.switch`` or ``emergency.command`` somewhere
    (the capability table gives every switch holder the command verb too). They use
    ``/emergency/`` and the roll-call pages of the emergencies their scope meets
    (``Activation.objects.restrict``); a called-up member uses 我的应急任务 instead. The
    nav link and the home panel follow the same verbs."""
    for verb in (SWITCH, COMMAND):
        codes = codes_with(user, verb)
        if codes is None or codes:
            return True
    return False


# -- what one may read: the pages and the API ask the same functions -----------------------


def activations_for(user):
    """The emergencies whose pages and API entries (list, detail, roll-call, tasks, end)
    the user may open: for staff of 平急转换 (``works_emergencies``) those their scope meets
    (``Activation.objects.restrict``: their subtrees and the emergencies covering their
    seats); none for anyone else, though an emergency covers them: a called-up member reads
    their call-ups (``callups_for``). The pages answer 403 before asking (``/emergency/``);
    the API answers an empty list and 404."""
    if not works_emergencies(user):
        return Activation.objects.none()
    return Activation.objects.restrict(user)


def callups_for(user):
    """The call-ups the user may read: one's own always (我的应急任务); for staff of 平急转换,
    also those of the grids in their scope (the roll-call's grid pages)."""
    if works_emergencies(user):
        return CallUp.objects.restrict(user)
    if not user.is_authenticated:
        return CallUp.objects.none()
    return CallUp.objects.filter(registration__user=user)


def teams_for(user):
    """The emergency teams the user may read: staff of 平急转换 only (the roll-call shows
    them), in their subtrees."""
    if not works_emergencies(user):
        return Team.objects.none()
    return Team.objects.restrict(user)
