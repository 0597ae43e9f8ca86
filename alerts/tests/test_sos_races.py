"""Races over real processes and one database (a SQLite file with its busy timeout, or
PostgreSQL), as in production: gunicorn with 2 sync workers takes pairs of simultaneous
presses of the same devices (one alarm each), then two worker processes call the periodic
escalation task at the same instant with the clock moved to the minute the second step is
due (each alarm escalates once). The live server of pytest-django cannot show this: over
an in-memory SQLite database its threads share one connection."""

import json
import subprocess
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import ON_POSTGRES, ON_SQLITE, Http
from tests.servers import ROOT, VENV_BIN, python_manage, site, wait_until_up

DEVICES = 8

SETUP = """
from alerts.models import Device
from alerts.tests.sos_factories import bound_device, demo_grid, resident_of, vendor_with_key
vendor, key = vendor_with_key()
for n in range({devices}):
    bound_device(vendor, resident_of(demo_grid(), n), device_id=f"WB-{{n:04d}}")
print(key)
"""

CHECK = """
import json
from alerts.models import Alarm, AlarmEvent
from outbox.models import Outbox
alarms = Alarm.objects.order_by("pk")
steps = [list(AlarmEvent.objects.filter(alarm=a, action="escalate")
         .order_by("pk").values_list("data__step", flat=True)) for a in alarms]
told = sum(len(e.data["told"]) for e in AlarmEvent.objects.filter(action="escalate", data__step=1))
rows = Outbox.objects.filter(event="sos.escalated", channel="inbox").count()
print(json.dumps({{"presses": [a.presses for a in alarms], "steps": steps, "told": told,
                  "rows": rows}}))
"""


def simultaneous_presses(base, key, pressed):
    """Two presses of every device at once (a second apart on the device's clock)."""
    jobs = [(n, offset) for n in range(DEVICES) for offset in (0, 1)]
    barrier = threading.Barrier(len(jobs))
    answers = []

    def send(n, offset):
        body = {
            "device_id": f"WB-{n:04d}",
            "pressed_at": (pressed + timedelta(seconds=offset)).isoformat(),
        }
        barrier.wait(timeout=30)
        answers.append(Http(base).post("/api/v1/sos/", body, headers={"X-Vendor-Key": key}))

    threads = [threading.Thread(target=send, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def two_workers(env, due):
    start = str(time.time() + 4)  # both processes begin at this instant
    workers = [
        subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "alerts.tests.sos_worker", due.isoformat(), start],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for process in workers:
        assert process.wait(timeout=120) == 0, process.stderr.read().decode()


@pytest.mark.parametrize("db_kind", [ON_SQLITE, ON_POSTGRES])
def test_simultaneous_presses_make_one_alarm_and_two_workers_notify_once(db_kind):
    pressed = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    with site(db_kind) as here:
        output = python_manage(here.env, "shell", "-c", SETUP.format(devices=DEVICES))
        key = output.strip().splitlines()[-1]
        here.server.start()
        wait_until_up(here.port, here.server)
        answers = simultaneous_presses(here.base_url, key, pressed)
        here.server.stop()
        two_workers(here.env, pressed + timedelta(minutes=5))
        found = json.loads(
            python_manage(here.env, "shell", "-c", CHECK.format()).strip().splitlines()[-1]
        )
    assert sorted(status for status, _ in answers) == [200] * DEVICES + [201] * DEVICES, answers
    assert found["presses"] == [2] * DEVICES, found
    assert found["steps"] == [[0, 1]] * DEVICES, found
    assert found["rows"] == found["told"] > 0, found
