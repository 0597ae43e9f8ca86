"""SOS latency over real HTTP: from a device's press (``POST /api/v1/sos/`` with the
vendor's key) to each notification — its outbox row written (committed with the press,
so the answer's arrival bounds it) and delivered to the in-app inbox by a huey worker —
beside two references measured against the same server in the same run.

    .venv/bin/python bench/sos_latency.py [--presses 200]

The site is the tests' (``tests/servers.py``): a fresh temporary directory (SQLite file,
huey queue), ``migrate``, ``make_city --preset jizhou --scale tiny``, gunicorn (2 sync
workers) and the huey consumer (``run_huey``: 2 worker threads, its default polling) on
127.0.0.1. One client thread sends requests one after another, so each latency is one
request's own, not a queue's. The presses come from distinct devices bound to residents of
the demo grid, so each opens an alarm whose first step tells the grid's responders (the
jizhou preset has no ``[sos]``: the platform's chain).

References, the same client, middleware and DRF stack:

- **authenticated no-op** — ``GET /api/v1/alerts/alarms/0/`` with a bearer token: token
  lookup, scope query, 404;
- **case intake** — ``POST /api/v1/cases/`` by the demo grid worker in their grid: the other
  write that notifies people through the outbox.

Times are wall-clock (``time.time()`` in the client, ``timezone.now()`` in the server and
the worker: one machine, one clock). Prints a Markdown table.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import HOST, python_manage, site, wait_until_up  # noqa: E402

SETUP = """
from alerts.models import Device
from alerts.sos.keys import do_create_vendor
from org.models import User
from residents.models import Resident
admin = User.objects.get(username="demo-admin")
vendor, key = do_create_vendor("压测厂商", actor=admin)
grid = User.objects.get(username="demo-grid").assignments.get().node
residents = list(Resident.objects.filter(household__grid=grid).order_by("pk"))
Device.objects.bulk_create(
    Device(vendor=vendor, device_id=f"B{{n:05d}}", resident=residents[n % len(residents)])
    for n in range({count})
)
print(key + " " + grid.code)
"""

ROWS = """
import json
from outbox.models import Outbox
rows = Outbox.objects.filter(subject_type="alerts.alarm", channel="inbox")
print(json.dumps({{
    "pending": rows.filter(delivered_at=None).count(),
    "rows": [[r.subject_id, r.created_at.timestamp(), r.delivered_at and r.delivered_at.timestamp()]
             for r in rows] if {final} else [],
}}))
"""


def call(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def timed(count, send):
    """``count`` calls one after another; [(started, answered, status, body)]."""
    found = []
    for index in range(count):
        started = time.time()
        status, body = send(index)
        found.append((started, time.time(), status, body))
    return found


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    count = args.presses
    with site("sqlite") as here:
        key, grid = (
            python_manage(here.env, "shell", "-v0", "-c", SETUP.format(count=count + 20))
            .strip()
            .split()
        )
        here.server.start()
        here.worker.start()
        wait_until_up(here.port, here.server)
        port = here.port
        status, body = call(
            port,
            "POST",
            "/api/v1/auth/token",
            {"username": "demo-grid", "password": "demo12345"},
        )
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        vendor = {"X-Vendor-Key": key}

        def press(index):
            body = {
                "device_id": f"B{index:05d}",
                "pressed_at": datetime.now().astimezone().isoformat(),
            }
            return call(port, "POST", "/api/v1/sos/", body, vendor)

        def noop(index):
            return call(port, "GET", "/api/v1/alerts/alarms/0/", headers=bearer)

        def intake(index):
            body = {"title": f"楼道灯不亮 {index}", "channel": "grid_report", "grid_code": grid}
            return call(port, "POST", "/api/v1/cases/", body, bearer)

        # Warm both gunicorn workers (imports, the preset, the classifier) and the consumer.
        timed(10, noop)
        timed(10, intake)
        for index in range(count, count + 20):
            press(index)
        references = {"noop": timed(count, noop), "intake": timed(count, intake)}
        presses = timed(count, press)
        answered = {}
        for started, done, status, body in presses:
            assert status == 201, (status, body)
            answered[json.loads(body)["alarm"]] = (started, done)
        deadline = time.time() + 120
        while True:
            state = json.loads(
                python_manage(here.env, "shell", "-v0", "-c", ROWS.format(final=False)).strip()
            )
            if state["pending"] == 0 or time.time() > deadline:
                break
            time.sleep(1)
        state = json.loads(
            python_manage(here.env, "shell", "-v0", "-c", ROWS.format(final=True)).strip()
        )
    report(count, references, presses, answered, state)


def report(count, references, presses, answered, state):
    written, delivered, undelivered = [], [], 0
    for alarm, _created, delivered_at in state["rows"]:
        if alarm not in answered:
            continue  # the warm-up's
        started, done = answered[alarm]
        written.append(done - started)  # the row commits with the press, before its answer
        if delivered_at is None:
            undelivered += 1
        else:
            delivered.append(delivered_at - started)
    ms = {
        "authenticated no-op: GET /api/v1/alerts/alarms/0/ (404)": [
            done - started for started, done, *_ in references["noop"]
        ],
        "case intake: POST /api/v1/cases/ (201)": [
            done - started for started, done, *_ in references["intake"]
        ],
        "SOS press: POST /api/v1/sos/ (201) = outbox rows written": [
            done - started for started, done, *_ in presses
        ],
        "SOS press → in-app message delivered by the worker": delivered,
    }
    noop_p50 = statistics.median(ms["authenticated no-op: GET /api/v1/alerts/alarms/0/ (404)"])
    intake_p50 = statistics.median(ms["case intake: POST /api/v1/cases/ (201)"])
    print(
        f"gunicorn 2 sync workers + huey consumer (2 threads) on {HOST}, SQLite (WAL), jizhou "
        f"tiny city, 1 client thread, {count} requests each ({os.cpu_count()} CPUs)\n"
    )
    print("| measured | n | p50 ms | p99 ms | p50 ÷ no-op p50 | p50 ÷ intake p50 |")
    print("|---|---|---|---|---|---|")
    for name, values in ms.items():
        if not values:
            continue
        p50, p99 = statistics.median(values), pct(values, 99)
        print(
            f"| {name} | {len(values)} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | "
            f"{p50 / noop_p50:.2f} | {p50 / intake_p50:.2f} |"
        )
    print(
        f"\nNotifications per press: {len(written) / max(1, len(answered)):.1f} in-app rows; "
        f"undelivered after the wait: {undelivered}"
    )


if __name__ == "__main__":
    main()
