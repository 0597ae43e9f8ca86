"""How a person stands to an emergency switch or a call-up: the relations named in
``emergency.transitions``, with the verbs of the capability table (``org.permissions``)."""

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
