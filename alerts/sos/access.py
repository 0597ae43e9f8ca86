"""Who sees SOS alarms, and who reads a resident's address in full: the rules the pages,
the API, the home panel, the header link and the dashboards' watch list share.

The alarms are for the safety net: those who answer them, handle warnings or manage the
devices (``SIGHT_VERBS`` at a node of the tree, not through a department) open the list;
which alarms they see is their scope (``org.scoping``), not the verb.

An address is personal data (``gridgov.masking.mask_address``); the people who must go to
the door are the exception: a holder of ``alerts.respond`` at the alarm's grid
(``org.permissions.has``, never a role's kind or name) reads it in full where they look
at one alarm (its page, the API). Lists (of alarms, of devices) show it masked to everyone:
they are for knowing what is open, the alarm's page is for going there."""

from alerts.sos.chain import VERB
from gridgov.masking import mask_address
from org.permissions import codes_with, has

SIGHT_VERBS = ("alerts.respond", "alerts.handle", "alerts.manage_devices")


def may_see_alarms(user) -> bool:
    """Whether ``user`` may open the alarm list (``/sos/``): a superuser, or a holder of one
    of ``SIGHT_VERBS`` at a node (``codes_with``: a department's seat does not count). The
    list page, its header link and the home panel all ask this."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(codes_with(user, verb) for verb in SIGHT_VERBS)


def may_read_address(user, alarm) -> bool:
    """Whether ``user`` may read the address of ``alarm``'s resident in full: they hold
    ``alerts.respond`` at the alarm's grid. ``alarm.grid`` is read (select it related)."""
    return user is not None and has(user, VERB, alarm.grid.code)


def alarm_address(alarm, user=None) -> str:
    """The address of ``alarm``'s resident as ``user`` may read it: in full when
    ``may_read_address``, else masked (``新华路144号民康新****``). Without ``user`` (a list
    row, the home panel, the watch list) always masked. "" for a household without one."""
    address = alarm.resident.household.address
    return address if may_read_address(user, alarm) else mask_address(address)
