"""A month of SOS alarms on the generated city, through the real actions (``make_alarms``).

Two vendors; a wristband or elder phone for up to ``DEVICES_PER_GRID`` residents of each
residential grid tagged elderly, living alone or disabled (张掖 「“一老一少”“鰥寡孤獨”等特殊人群
配發智能手環」); then, day by day, presses answered as they usually are (acknowledged within
minutes, arrival, closed), a few escalated (nobody answered within the chain's minutes),
one or two false alarms, one turned into a case, and one open alarm pressed a little while
ago in the demo grid worker's grid, so the home panel and the list show it. Deterministic
for a seed; notifications are written without queueing a task each (``held_delivery``)
and delivered in bulk at the end.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from alerts.models import Alarm, Device, Vendor
from alerts.sos.actions import do_alarm_action, do_alarm_to_case, do_press
from alerts.sos.chain import chain, recipients
from alerts.sos.escalation import run_due_steps
from alerts.sos.keys import digest, new_key
from org.models import OrgNode, User
from outbox.delivery import deliver_inbox_in_bulk
from outbox.notify import held_delivery
from residents.models import Resident

VENDORS = [("张掖关爱通信", "老人关爱手机"), ("安康智能穿戴", "智能手环")]
TAGS = ("elderly", "living-alone", "disabled")
DEVICES_PER_GRID = 2
DEVICES_PER_ALARM_A_DAY = 80  # one press a day for every 80 devices, at least two a day
ESCALATED_SHARE = 0.1
FALSE_SHARE = 0.04


class AlarmGenerator:
    def __init__(self, seed: int = 1, days: int = 30, now: datetime | None = None):
        self.rng = random.Random(seed)
        self.days = days
        self.now = now or timezone.now()
        self.counts = {"vendors": 0, "devices": 0, "alarms": 0, "escalated": 0, "false": 0}

    def run(self) -> dict:
        devices = self._devices()
        if not devices:
            return self.counts
        with held_delivery():
            self._month(devices)
            self._one_open(devices)
        deliver_inbox_in_bulk()
        self.counts["alarms"] = Alarm.objects.count()
        return self.counts

    def _devices(self) -> list[Device]:
        vendors = []
        for name, _ in VENDORS:
            prefix, key = new_key()  # the demo's keys are never shown: make one on the page
            vendor, made = Vendor.objects.get_or_create(
                name=name, defaults={"key_prefix": prefix, "key_digest": digest(key)}
            )
            vendors.append(vendor)
            self.counts["vendors"] += made
        grids = OrgNode.objects.filter(grid_kind="residential").order_by("code")
        residents = (
            Resident.objects.filter(tags__code__in=TAGS, household__grid__in=grids)
            .order_by("household__grid_id", "pk")
            .distinct()
            .values_list("pk", "household__grid_id")
        )
        chosen, per_grid = [], {}
        for pk, grid_id in residents:
            if per_grid.get(grid_id, 0) < DEVICES_PER_GRID:
                per_grid[grid_id] = per_grid.get(grid_id, 0) + 1
                chosen.append(pk)
        rows = []
        for number, pk in enumerate(chosen, start=1):
            index = number % len(VENDORS)
            rows.append(
                Device(
                    vendor=vendors[index],
                    device_id=f"{'SH' if index else 'GA'}{number:06d}",
                    kind=VENDORS[index][1],
                    resident_id=pk,
                    bound_at=self.now - timedelta(days=self.days + 5),
                )
            )
        Device.objects.bulk_create(rows, ignore_conflicts=True)
        self.counts["devices"] = len(rows)
        return list(
            Device.objects.filter(resident__isnull=False)
            .select_related("vendor", "resident__household__grid")
            .order_by("pk")
        )

    def _responder(self, alarm):
        people = list(recipients(alarm.grid, chain()[0]))
        return people[0] if people else User.objects.filter(is_superuser=True).first()

    def _month(self, devices):
        per_day = max(2, len(devices) // DEVICES_PER_ALARM_A_DAY)
        today = timezone.localdate(self.now)
        made_case = False
        for back in range(self.days, 0, -1):
            day = today - timedelta(days=back)
            start = timezone.make_aware(datetime.combine(day, time(7)))
            moments = sorted(
                start + timedelta(seconds=self.rng.randint(0, 14 * 3600)) for _ in range(per_day)
            )
            for pressed in moments:
                device = self.rng.choice(devices)
                self._story(device, pressed, case=not made_case and back <= self.days // 2)
                made_case = made_case or back <= self.days // 2

    def _story(self, device, pressed, *, case=False):
        alarm = do_press(device.vendor, device.device_id, pressed, now=pressed).alarm
        if alarm.presses > 1:
            return  # the same device again within the minute: the alarm has its story
        if self.rng.random() < 0.3:  # pressed twice, as people do
            do_press(device.vendor, device.device_id, pressed + timedelta(seconds=20), now=pressed)
        who = self._responder(alarm)
        roll = self.rng.random()
        if roll < ESCALATED_SHARE:
            minutes = chain()[-1].after_minutes + 1 if len(chain()) > 1 else 6
            run_due_steps(now=pressed + timedelta(minutes=minutes))
            self.counts["escalated"] += 1
            ack = pressed + timedelta(minutes=minutes + self.rng.randint(1, 4))
        else:
            ack = pressed + timedelta(seconds=self.rng.randint(30, 240))
        do_alarm_action(alarm.pk, "acknowledge", actor=who, at=ack)
        if roll > 1 - FALSE_SHARE:
            do_alarm_action(alarm.pk, "false_alarm", actor=who, at=ack + timedelta(minutes=2))
            self.counts["false"] += 1
            return
        arrive = ack + timedelta(minutes=self.rng.randint(4, 18))
        do_alarm_action(alarm.pk, "arrive", actor=who, at=arrive)
        if case:
            do_alarm_to_case(alarm.pk, actor=who, at=arrive + timedelta(minutes=5))
        closed = arrive + timedelta(minutes=self.rng.randint(15, 60))
        do_alarm_action(alarm.pk, "close", actor=who, at=closed)

    def _one_open(self, devices):
        """An alarm pressed a little while ago in the demo grid worker's grid, unanswered."""
        grid = (
            User.objects.filter(username="demo-grid")
            .values_list("assignments__node_id", flat=True)
            .first()
        )
        mine = [d for d in devices if d.resident.household.grid_id == grid] or devices
        device = mine[0]
        pressed = self.now - timedelta(minutes=2)
        do_press(device.vendor, device.device_id, pressed, now=pressed)
