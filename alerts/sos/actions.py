"""Everything that happens to an alarm, each in one transaction with its timeline row and
its notices in the outbox (``outbox.notify``: in-app rows and webhooks, delivered after
commit).

- ``do_press``: a vendor's press (``POST /api/v1/sos/``) opens an alarm, or is added to the
  alarm of the same device whose last press is within ``repeat_seconds`` (60 s): the
  device's row is locked for the check, so two simultaneous presses make one alarm (on
  PostgreSQL ``select_for_update``; on SQLite every write transaction is IMMEDIATE, one at
  a time). The same press sent again (same device, same ``pressed_at``) adds nothing. The
  chain's first step tells its people in that same transaction; later steps are rows
  claimed by the periodic task (``alerts.sos.escalation``).
- ``ALARMS``: the lifecycle (``alerts.sos.transitions``); acknowledging or arriving skips
  the steps not yet run, so an answered alarm escalates no further.
- ``do_alarm_to_case``: one tap files a case (``cases.actions.do_create_case``); a second
  tap, or two at once, returns the same case.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alerts.models import (
    Alarm,
    AlarmEvent,
    AlarmStatus,
    Device,
    EscalationStep,
    Vendor,
)
from alerts.preset import SosStep
from alerts.sos.chain import VERB, chain, recipients, repeat_window, step_duties, step_node
from alerts.sos.transitions import ACTION_NAMES, TABLE
from cases.actions import Report, do_create_case
from cases.config import channel_names
from gridgov import workflow
from gridgov.errors import ActionError, InvalidInput, NotPermitted
from org.models import RoleAssignment, User
from org.permissions import has
from outbox.notify import notify
from residents.masking import mask_name

# Sane bounds of a press's time as the device reports it: a device queues presses while it
# has no signal (up to a day), and its clock may run a little ahead.
MAX_AGE = timedelta(hours=24)
MAX_AHEAD = timedelta(minutes=5)


class UnknownDevice(ActionError):
    """A press of a device nobody registered for this vendor."""

    status = 404
    code = "unknown_device"


class DeviceRefused(ActionError):
    """A press of a device that is not bound to a resident, or switched off."""

    status = 409
    code = "device_unbound"


@dataclass
class Press:
    alarm: Alarm
    created: bool  # a new alarm
    added: bool  # a new press (False: the same press sent again)


def _where(alarm: Alarm) -> str:
    return alarm.resident.household.address or alarm.grid.name


def alarm_payload(alarm: Alarm) -> dict:
    """What a webhook subscriber learns: no name or phone, the place and the point."""
    return {
        "alarm": {
            "id": alarm.pk,
            "status": alarm.status,
            "version": alarm.version,
            "pressed_at": alarm.pressed_at.isoformat(),
            "grid_code": alarm.grid.code,
            "address": _where(alarm),
            "lat": alarm.lat,
            "lng": alarm.lng,
        }
    }


def _told(users, node, step: SosStep) -> str:
    """Whom a step told, as the timeline shows it: 「王芳（网格员）、李强（网格长）」, each
    with the name of the seat the step found them in (one query); 「无人」 when the node has
    nobody to tell. Staff are named in full, as everywhere else (a timeline's who, 巡查人,
    责任人); only the resident is masked."""
    if not users:
        return "无人"
    roles: dict[int, list[str]] = {}
    seats = RoleAssignment.objects.filter(
        user__in=users, node=node, department=None, role__duty__in=step_duties(step)
    ).values_list("user_id", "role__name")
    for user_id, role in seats.order_by("pk"):
        roles.setdefault(user_id, [])
        if role not in roles[user_id]:
            roles[user_id].append(role)
    return "、".join(
        f"{user.display_name or user.username}（{'、'.join(roles[user.pk])}）"
        if roles.get(user.pk)
        else user.display_name or user.username
        for user in users
    )


def tell_step(alarm: Alarm, index: int, step: SosStep, *, at: datetime) -> int:
    """Notify the step's people about the alarm and write the step on its timeline, in the
    caller's transaction (the alarm row locked); returns how many people were told."""
    users = list(recipients(alarm.grid, step))
    node = step_node(alarm.grid, step)
    who = mask_name(alarm.resident.name)
    title = f"一键求助：{who}（{_where(alarm)}）"
    if index:
        minutes = int((at - alarm.pressed_at).total_seconds() // 60)
        body = f"求助已 {minutes} 分钟无人响应，请立即联系或前往。"
    else:
        body = "居民按下了一键求助，请立即联系或前往，并在系统中点“响应”。"
    event = "sos.escalated" if index else "sos.pressed"
    payload = {
        **alarm_payload(alarm),
        "step": index,
        "after_minutes": step.after_minutes,
        "node_code": node.code,
        "duty_phone": step.duty_phone,
    }
    notify(alarm, event, users, title, body, at=at, payload=payload)
    alarm.escalations = index + 1
    alarm.save(update_fields=["escalations"])
    AlarmEvent.objects.create(
        alarm=alarm,
        action="escalate",
        at=at,
        from_status=alarm.status,
        to_status=alarm.status,
        note=f"{node.name}：通知 {_told(users, node, step)}"
        + ("，并呼叫值班电话" if step.duty_phone else ""),
        data={
            "step": index,
            "node": node.code,
            "told": [user.pk for user in users],
            "duty_phone": step.duty_phone,
            "due_at": (alarm.pressed_at + timedelta(minutes=step.after_minutes)).isoformat(),
        },
    )
    return len(users)


def _press_note(count: int, pressed_at: datetime, late: bool) -> str:
    """A repeated press's timeline note: 「收到第 3 次按键（按下于 19:30:30，设备补送）」.

    The timeline lists rows as they were recorded, so N counts presses in the order they
    arrived (it rises down the timeline); the row's time (``at``) is when the button was
    pressed, which for a press the device queued may be before the row above it: the note
    says both, and 设备补送 when the press is earlier than one already received."""
    when = timezone.localtime(pressed_at).strftime("%H:%M:%S")
    return f"收到第 {count} 次按键（按下于 {when}{'，设备补送' if late else ''}）"


def _check_time(pressed_at: datetime, now: datetime):
    if timezone.is_naive(pressed_at):
        raise InvalidInput("按键时间须带时区", errors={"pressed_at": ["须带时区"]})
    if pressed_at > now + MAX_AHEAD:
        raise InvalidInput("按键时间晚于当前时间", errors={"pressed_at": ["在将来"]})
    if pressed_at < now - MAX_AGE:
        raise InvalidInput("按键时间早于 24 小时前", errors={"pressed_at": ["太早"]})


def _optional_float(value, name, low, high):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(f"{name} 超出范围", errors={name: [f"须在 {low} 到 {high} 之间"]})
    return float(value)


def _move_steps(alarm: Alarm, pressed_at: datetime):
    steps = chain()
    for step in EscalationStep.objects.filter(alarm=alarm, claimed_at__isnull=True):
        if step.index < len(steps):
            step.due_at = pressed_at + timedelta(minutes=steps[step.index].after_minutes)
            step.save(update_fields=["due_at"])


def do_press(
    vendor: Vendor,
    device_id: str,
    pressed_at: datetime,
    *,
    lat=None,
    lng=None,
    accuracy=None,
    now: datetime | None = None,
) -> Press:
    """Record a press of the vendor's device; see the module's docstring. Raises
    UnknownDevice (404 ``unknown_device``), DeviceRefused (409
    ``device_unbound`` / ``device_inactive``) or
    InvalidInput (400: time out of bounds, a point out of range)."""
    now = now or timezone.now()
    _check_time(pressed_at, now)
    lat = _optional_float(lat, "lat", -90, 90)
    lng = _optional_float(lng, "lng", -180, 180)
    accuracy = _optional_float(accuracy, "accuracy", 0, 100_000)
    if (lat is None) != (lng is None):
        raise InvalidInput("经度和纬度要一起提供", errors={"lat": ["lat 和 lng 缺一"]})
    with transaction.atomic():
        device = (
            Device.objects.select_for_update(of=("self",))
            .select_related("resident__household__grid")
            .filter(vendor=vendor, device_id=str(device_id)[:64])
            .first()
        )
        if device is None:
            raise UnknownDevice("没有这个设备：请先在系统中登记并绑定居民")
        if not device.is_active:
            raise DeviceRefused("这个设备已停用", code="device_inactive")
        if device.resident_id is None:
            raise DeviceRefused("这个设备尚未绑定居民", code="device_unbound")
        window = repeat_window()
        alarm = (
            Alarm.objects.select_related("resident__household", "grid")
            .filter(
                device=device,
                last_pressed_at__gte=pressed_at - window,
                pressed_at__lte=pressed_at + window,
            )
            .order_by("-last_pressed_at")
            .first()
        )
        location = {"lat": lat, "lng": lng, "accuracy": accuracy}
        if alarm is not None:
            if alarm.events.filter(action="press", at=pressed_at).exists():
                return Press(alarm, created=False, added=False)
            alarm.presses += 1
            # A vendor may deliver a queued press after a later one (补送).
            late = pressed_at < alarm.last_pressed_at
            alarm.last_pressed_at = max(alarm.last_pressed_at, pressed_at)
            changed = ["presses", "last_pressed_at"]
            if pressed_at < alarm.pressed_at:
                # An earlier press arrived later (devices queue presses): the call for help
                # began then, and the steps still to run fall due from then.
                alarm.pressed_at = pressed_at
                changed.append("pressed_at")
                _move_steps(alarm, pressed_at)
            if lat is not None:
                alarm.lat, alarm.lng, alarm.accuracy = lat, lng, accuracy
                changed += ["lat", "lng", "accuracy"]
            alarm.save(update_fields=changed)
            AlarmEvent.objects.create(
                alarm=alarm,
                action="press",
                at=pressed_at,
                from_status=alarm.status,
                to_status=alarm.status,
                note=_press_note(alarm.presses, pressed_at, late),
                data=location,
            )
            return Press(alarm, created=False, added=True)
        resident = device.resident
        alarm = Alarm.objects.create(
            resident=resident,
            device=device,
            grid=resident.household.grid,
            pressed_at=pressed_at,
            last_pressed_at=pressed_at,
            lat=lat,
            lng=lng,
            accuracy=accuracy,
        )
        AlarmEvent.objects.create(
            alarm=alarm,
            action="press",
            at=pressed_at,
            to_status=alarm.status,
            note=f"{vendor.name} {device.kind or '设备'} {device.device_id}",
            data=location,
        )
        steps = chain()
        EscalationStep.objects.bulk_create(
            [
                EscalationStep(
                    alarm=alarm,
                    index=index,
                    due_at=pressed_at + timedelta(minutes=step.after_minutes),
                    claimed_at=now if index == 0 else None,
                    outcome="sent" if index == 0 else "",
                )
                for index, step in enumerate(steps)
            ]
        )
        # The first step right away, in this transaction: nobody waits for the minute.
        tell_step(alarm, 0, steps[0], at=now)
        return Press(alarm, created=True, added=True)


# -- the lifecycle ------------------------------------------------------------------------


def _skip_pending(step: workflow.Step):
    """An answered alarm escalates no further: its unclaimed steps are claimed as skipped."""
    EscalationStep.objects.filter(alarm=step.obj, claimed_at__isnull=True).update(
        claimed_at=step.now, outcome="skipped"
    )


def _note(step: workflow.Step):
    step.note = str(step.data.get("note", "")).strip()[:200]


def _tell_the_others(step: workflow.Step, what: str):
    """Everyone the chain has told so far hears who answered, so they do not all run."""
    told = set()
    for ids in AlarmEvent.objects.filter(alarm=step.obj, action="escalate").values_list(
        "data__told", flat=True
    ):
        told.update(ids or [])
    told.discard(step.actor.pk)
    if told:
        name = step.actor.display_name or step.actor.username
        users = User.objects.filter(pk__in=told, is_active=True).order_by("pk")
        step.tell("sos.acknowledged", list(users), f"{name}{what}一键求助（{_where(step.obj)}）")


def _acknowledge(step: workflow.Step):
    _note(step)
    step.set(acknowledged_at=step.now, acknowledged_by=step.actor)
    step.event_data = {"seconds_to_acknowledge": step.obj.seconds_to_acknowledge}
    _skip_pending(step)
    _tell_the_others(step, "已响应")


def _arrive(step: workflow.Step):
    _note(step)
    if step.obj.acknowledged_at is None:
        step.set(acknowledged_at=step.now, acknowledged_by=step.actor)
    step.set(arrived_at=step.now, arrived_by=step.actor)
    step.event_data = {
        "seconds_to_acknowledge": step.obj.seconds_to_acknowledge,
        "seconds_to_arrive": step.obj.seconds_to_arrive,
    }
    answered_before = step.obj.status != AlarmStatus.OPEN
    _skip_pending(step)
    if not answered_before:
        _tell_the_others(step, "已到场处置")


def _end(step: workflow.Step):
    _note(step)
    step.set(closed_at=step.now)
    _skip_pending(step)


class AlarmWorkflow(workflow.Workflow):
    model = Alarm
    event_model = AlarmEvent
    subject_field = "alarm"
    table = TABLE
    handlers = {
        "acknowledge": _acknowledge,
        "arrive": _arrive,
        "close": _end,
        "false_alarm": _end,
        "cancel": _end,
    }
    names = ACTION_NAMES
    noun = "求助"
    version_required = False  # a tap on 响应 races on the state, not on what the page showed
    select_related = ("grid", "resident__household")

    def holds(self, actor, alarm, relation, action, context):
        return relation == "responder" and has(actor, VERB, alarm.grid.code)

    def notify(self, alarm, event, users, title, body, at):
        notify(alarm, event, users, title, body, at=at, payload=alarm_payload(alarm))


ALARMS = AlarmWorkflow()


def do_alarm_action(alarm_id: int, action: str, *, actor, version=None, data=None, at=None):
    """Apply ``action`` to the alarm (``ALARMS.apply``): 403 without ``alerts.respond`` at
    its grid, 409 when the alarm is no longer in a state the action applies to."""
    return ALARMS.apply(alarm_id, action, actor=actor, version=version, data=data, at=at)


def allowed_actions(user, alarm: Alarm) -> list[str]:
    return ALARMS.allowed_actions(user, alarm)


def may_file_case(user, alarm: Alarm) -> bool:
    return alarm.case_id is None and has(user, VERB, alarm.grid.code)


def do_alarm_to_case(alarm_id: int, *, actor, at=None):
    """The alarm's case, filed now by ``actor`` (channel ``sos`` where the preset has it,
    else ``grid_report``) or the one it already has: one case per alarm, however many
    taps. Returns ``(alarm, case, created)``."""
    with transaction.atomic():
        alarm = (
            Alarm.objects.select_for_update(of=("self",))
            .select_related("grid", "resident__household", "case")
            .get(pk=alarm_id)
        )
        if not has(actor, VERB, alarm.grid.code):
            raise NotPermitted("您不能把这个求助转为案件")
        if alarm.case_id is not None:
            return alarm, alarm.case, False
        channel = "sos" if "sos" in channel_names() else "grid_report"
        household = alarm.resident.household
        case = do_create_case(
            Report(
                title=f"一键求助转办：{mask_name(alarm.resident.name)}需要帮助",
                description=(
                    f"{alarm.pressed_at:%Y-%m-%d %H:%M} 一键求助（告警 {alarm.pk}），"
                    f"地址：{household.address}"
                ),
                channel=channel,
                grid_code=alarm.grid.code,
                address=household.address,
            ),
            actor=actor,
            at=at,
        )
        alarm.case = case
        alarm.version += 1
        alarm.save(update_fields=["case", "version"])
        AlarmEvent.objects.create(
            alarm=alarm,
            action="to_case",
            actor=actor,
            at=at or timezone.now(),
            from_status=alarm.status,
            to_status=alarm.status,
            note=case.number,
            data={"case": case.pk},
        )
        return alarm, case, True
