"""What emergency offers the dashboards (``gridgov.figures``) and the home page
(``org.panels``): active emergencies of a subtree; a called-up member's check-in; the
active emergencies a switch holder may end."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from emergency.models import Activation, ActivationStatus, CallUp, CallUpStatus
from emergency.permissions import works_emergencies
from org.codes import subtree_q

PANEL_ROWS = 5


def count_active(node_code: str) -> int:
    """Emergencies in force in the subtree (应急状态)."""
    return Activation.objects.filter(
        subtree_q(node_code, "node__code"), status=ActivationStatus.ACTIVE
    ).count()


def active_rows(node_code: str, limit: int) -> list[dict]:
    """The watch list: emergencies in force in the subtree, newest first."""
    rows = (
        Activation.objects.filter(
            subtree_q(node_code, "node__code"), status=ActivationStatus.ACTIVE
        )
        .select_related("node")
        .order_by("-started_at")[:limit]
    )
    return [
        {
            "title": f"{a.node.name}：{a.reason}",
            "url": a.get_absolute_url(),
            "when": a.started_at,
            "when_label": _("启动"),  # when it was switched on, not a deadline
            "tone": "red",
        }
        for a in rows
    ]


def home_panel(user) -> dict | None:
    """A called-up member sees their open call-ups (签到); everyone seated where an
    emergency is in force sees it (its place, reason and start); whoever switches or
    commands also the way to 平急转换 and to each roll-call."""
    callups = list(
        CallUp.objects.filter(
            registration__user=user, activation__status=ActivationStatus.ACTIVE
        ).select_related("activation__node")[:PANEL_ROWS]
    )
    works = works_emergencies(user)
    # Everyone seated where an emergency is in force learns of it here (the grid's workers
    # too); only staff of 平急转换 get the roll-call's link (activations_for).
    active = list(
        Activation.objects.restrict(user)
        .filter(status=ActivationStatus.ACTIVE)
        .select_related("node")[:PANEL_ROWS]
    )
    if not callups and not works and not active:
        return None
    return {
        "emergency_home": {
            "callups": callups,
            "open": [c for c in callups if c.status == CallUpStatus.CALLED],
            "active": active,
            "switches": works,
            "index": reverse("emergency:index"),
            "label": _("平急转换"),
        }
    }
