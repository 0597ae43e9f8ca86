"""What the SOS part offers other apps without their importing it, registered from
``AlertsConfig.ready()``: the home panel for those who may open the alarm list
(``org.panels``, ``alerts.sos.access.may_see_alarms``), the
dashboards' watch list ``alerts.sos`` (``gridgov.figures``), and the early-warning rule
``alerts.sos_unanswered`` (``gridgov.early_warning``)."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.models import LIVE_STATUSES, Alarm, AlarmStatus
from alerts.sos.access import alarm_address, may_see_alarms
from alerts.sos.chain import VERB, chain
from gridgov.early_warning import Signal
from org.permissions import codes_with
from residents.masking import mask_name

PANEL_ROWS = 3
LOCAL = ZoneInfo("Asia/Shanghai")


def _title(alarm) -> str:
    return f"{mask_name(alarm.resident.name)} · {alarm_address(alarm)}"


def home_panel(user) -> dict | None:
    """The open alarms the user sees (their scope, as on ``/sos/``), for whoever may open
    that list (``may_see_alarms``: responders, and leaders and staff who handle warnings or
    manage devices); None (no panel) for others and when none is open. Addresses masked."""
    if not may_see_alarms(user):
        return None
    alarms = Alarm.objects.filter(status=AlarmStatus.OPEN).restrict(user)
    rows = list(alarms.select_related("resident__household").order_by("-pressed_at")[:PANEL_ROWS])
    if not rows:
        return None
    return {
        "alerts_sos": {
            "open": alarms.count(),
            "rows": [
                {"title": _title(a), "url": a.get_absolute_url(), "when": a.pressed_at}
                for a in rows
            ],
            "url": reverse("alerts:sos_list"),
            "responds": codes_with(user, VERB) != [],
        }
    }


def open_sos(node_code: str, limit: int) -> list[dict]:
    """The live alarms of the subtree, open (red) first, then newest; no names (figures
    carry no personal data): the grid and the address masked (``alarm_address``)."""
    alarms = (
        Alarm.objects.filter(status__in=LIVE_STATUSES, grid__code__startswith=node_code)
        .select_related("resident__household", "grid")
        .order_by("-pressed_at")[: limit * 3]
    )
    rows = sorted(alarms, key=lambda a: (a.status != AlarmStatus.OPEN, -a.pressed_at.timestamp()))
    return [
        {
            "title": f"{a.grid.name} · {alarm_address(a)}",
            "url": a.get_absolute_url(),
            "when": a.pressed_at,
            "when_label": _("求助"),  # the press, not a deadline
            "tone": "red" if a.status == AlarmStatus.OPEN else "yellow",
        }
        for a in rows[:limit]
    ]


def unanswered(day: datetime.date):
    """``alerts.sos_unanswered``: alarms pressed on ``day`` (local) not acknowledged within
    the chain's time (the last step's minutes: by then everyone has been told), and alarms
    still live at the day's end. Reads only; the same signals for a rerun."""
    start = datetime.datetime.combine(day, datetime.time(), LOCAL)
    end = start + datetime.timedelta(days=1)
    limit_minutes = max(step.after_minutes for step in chain())
    limit = datetime.timedelta(minutes=limit_minutes)
    alarms = Alarm.objects.filter(pressed_at__gte=start, pressed_at__lt=end).select_related(
        "grid", "resident__household"
    )
    for alarm in alarms:
        # Marking a false alarm or cancelling it straight away is an answer too.
        answered = alarm.acknowledged_at or alarm.closed_at
        late = answered is None or answered - alarm.pressed_at > limit
        ended = alarm.closed_at is not None and alarm.closed_at < end
        if not late and ended:
            continue
        if not late:
            reason = "求助当天未处置完毕"
        elif answered is None:
            reason = f"求助超过 {limit_minutes} 分钟无人响应"
        else:
            minutes = int((answered - alarm.pressed_at).total_seconds() // 60)
            reason = f"求助 {minutes} 分钟后才响应，超过 {limit_minutes} 分钟"
        yield Signal(
            kind="alerts.sos_unanswered",
            subject=f"alarm={alarm.pk}",
            node_code=alarm.grid.code,
            # Who and when tell one alarm from another of the same grid (name masked).
            title=(
                f"一键求助未及时响应：{alarm.grid.name} · {mask_name(alarm.resident.name)} "
                f"{alarm.pressed_at.astimezone(LOCAL):%m-%d %H:%M}"
            ),
            reason=reason,
            evidence_url=alarm.get_absolute_url(),
            severity="red" if answered is None else "yellow",
            figures={
                "pressed_at": alarm.pressed_at.isoformat(),
                "seconds_to_acknowledge": alarm.seconds_to_acknowledge,
                "limit_minutes": limit_minutes,
                "status": alarm.status,
            },
        )
