"""The escalation chain with the clock moved: the right minute, exactly once; an answered
alarm goes no further; an alarm becomes one case however many taps. (Two workers at once:
``test_sos_races``.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alarm, AlarmEvent, EscalationStep
from alerts.preset import DEFAULT_CHAIN
from alerts.sos.actions import do_alarm_action, do_alarm_to_case, do_press
from alerts.sos.escalation import run_due_steps
from alerts.tests.sos_factories import bound_device, demo_grid, resident_of, vendor_with_key
from gridgov.errors import NotPermitted
from org.models import User
from org.permissions import has
from outbox.models import Outbox, Webhook
from tests.conftest import city  # noqa: F401 (fixture)

PRESSED = timezone.now().replace(microsecond=0) - timedelta(minutes=1)


def new_alarm(device_id="WB-0001", pressed=PRESSED) -> Alarm:
    vendor, _ = vendor_with_key(f"厂商{device_id}")
    device = bound_device(vendor, resident_of(demo_grid()), device_id=device_id)
    return do_press(vendor, device.device_id, pressed, now=pressed).alarm


def told(alarm, step):
    event = AlarmEvent.objects.get(alarm=alarm, action="escalate", data__step=step)
    return set(User.objects.filter(pk__in=event.data["told"]).values_list("pk", flat=True))


def escalations(alarm):
    return list(
        AlarmEvent.objects.filter(alarm=alarm, action="escalate").values_list(
            "data__step", flat=True
        )
    )


def test_a_missed_acknowledgement_escalates_at_the_right_minute_once(db, city):  # noqa: F811
    Webhook.objects.create(
        name="值班电话网关", url="http://127.0.0.1:9/", secret="s", events=["sos.escalated"]
    )
    alarm = new_alarm()
    grid = alarm.grid
    assert escalations(alarm) == [0]  # at the press, not a minute later
    assert User.objects.get(username="demo-grid").pk in told(alarm, 0)
    five = PRESSED + timedelta(minutes=DEFAULT_CHAIN[1].after_minutes)
    assert run_due_steps(now=five - timedelta(seconds=1)) == 0
    assert run_due_steps(now=five) == 1
    assert run_due_steps(now=five + timedelta(minutes=1)) == 0  # once
    # The grid leader: the seats at the grid whose duty the step names and the rulebook
    # gives alerts.respond; not the grid worker again.
    leaders = told(alarm, 1)
    assert leaders and all(
        has(User.objects.get(pk=pk), "alerts.respond", grid.code) for pk in leaders
    )
    assert User.objects.get(username="demo-grid").pk not in leaders
    assert run_due_steps(now=PRESSED + timedelta(minutes=10)) == 1
    community = told(alarm, 2)
    assert User.objects.get(username="demo-community").pk in community
    # The duty phone is the webhook sos.escalated with duty_phone, for a gateway to ring.
    calls = Outbox.objects.filter(event="sos.escalated", channel="webhook", subject_id=alarm.pk)
    assert sorted((row.payload["step"], row.payload["duty_phone"]) for row in calls) == [
        (1, False),
        (2, True),
    ]
    assert escalations(alarm) == [0, 1, 2]
    alarm.refresh_from_db()
    assert alarm.escalations == 3 and alarm.status == "open"


def test_an_earlier_press_that_arrives_later_moves_the_chain_back(db, city):  # noqa: F811
    alarm = new_alarm(pressed=PRESSED)
    vendor = alarm.device.vendor
    later = PRESSED + timedelta(seconds=15)
    assert do_press(vendor, alarm.device.device_id, later, now=later).alarm == alarm
    earlier = PRESSED - timedelta(seconds=30)
    assert do_press(vendor, alarm.device.device_id, earlier, now=later).alarm == alarm
    alarm.refresh_from_db()
    assert alarm.pressed_at == earlier and alarm.presses == 3
    assert run_due_steps(now=earlier + timedelta(minutes=5)) == 1
    # The timeline in the order things were recorded: the presses numbered as they arrived,
    # each row at its press time, the queued one said to be 补送.
    notes = list(alarm.events.filter(action="press").order_by("pk").values_list("note", flat=True))
    clock = [f"{timezone.localtime(t):%H:%M:%S}" for t in (later, earlier)]
    assert notes[1:] == [
        f"收到第 2 次按键（按下于 {clock[0]}）",
        f"收到第 3 次按键（按下于 {clock[1]}，设备补送）",
    ]


def test_an_acknowledged_alarm_does_not_escalate(db, city):  # noqa: F811
    alarm = new_alarm()
    worker = User.objects.get(username="demo-grid")
    later = PRESSED + timedelta(minutes=2)
    alarm = do_alarm_action(alarm.pk, "acknowledge", actor=worker, at=later)
    assert alarm.status == "acknowledged" and alarm.seconds_to_acknowledge == 120
    assert run_due_steps(now=PRESSED + timedelta(hours=1)) == 0
    assert escalations(alarm) == [0]
    assert set(EscalationStep.objects.filter(alarm=alarm).values_list("outcome", flat=True)) == {
        "sent",
        "skipped",
    }
    alarm = do_alarm_action(alarm.pk, "arrive", actor=worker, at=PRESSED + timedelta(minutes=9))
    assert alarm.seconds_to_arrive == 9 * 60
    actions = list(AlarmEvent.objects.filter(alarm=alarm).values_list("action", flat=True))
    assert actions == ["press", "escalate", "acknowledge", "arrive"]
    # The others told at the press hear who answered, once; the one who answered does not.
    heard = Outbox.objects.filter(event="sos.acknowledged", channel="inbox", subject_id=alarm.pk)
    assert heard.exists()
    assert set(heard.values_list("recipient_id", flat=True)) == told(alarm, 0) - {worker.pk}


def test_an_alarm_becomes_one_case_however_many_taps(db, city):  # noqa: F811
    alarm = new_alarm()
    worker = User.objects.get(username="demo-grid")
    _, case, created = do_alarm_to_case(alarm.pk, actor=worker)
    assert created and case.grid == alarm.grid
    _, again, created = do_alarm_to_case(alarm.pk, actor=worker)
    assert (again.pk, created) == (case.pk, False)
    assert AlarmEvent.objects.filter(alarm=alarm, action="to_case").count() == 1
    with pytest.raises(NotPermitted):
        do_alarm_to_case(alarm.pk, actor=User.objects.get(username="demo-volunteer"))
