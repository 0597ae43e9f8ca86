"""Intake throughput over HTTP: cases per second through ``POST /api/v1/cases/`` against
gunicorn (2 sync workers, 127.0.0.1), beside bare endpoints on the same server in the
same run.

    .venv/bin/python bench/intake.py [--requests 2000] [--threads 4]

The site is the tests' (``tests/servers.py``): a fresh temporary directory (SQLite
database, huey queue, media), ``migrate``, ``make_city --preset jizhou --scale tiny``, then
gunicorn (2 sync workers) on a free port.
No huey consumer runs, so delivery work is queued, not done, during the measurement
(each intake still writes its outbox rows and enqueues their delivery).

The references, both through the same middleware and DRF stack as the intake:

- **bare** — ``GET /api/v1/cases/`` without credentials: URL resolution, middleware, DRF
  dispatch and the authentication classes, answered 401 before any database query.
  The cheapest existing route that still goes through Django and DRF (the token
  endpoint hashes a password with argon2, ``/login/`` renders a template, the schema is
  generated on every call);
- **authenticated no-op** — ``GET /api/v1/cases/0/`` with the bearer token: the same plus
  the token lookup and the scope query that every intake request also pays, answered
  404. The difference between it and the intake is the intake's own work.

Each intake request is a grid worker's patrol report with a point in their grid and a
free-text title, so it is located, classified, numbered, checked for duplicates, and
written with its timeline event and outbox rows. Prints a Markdown table.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from shapely.geometry import Point, shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import HOST, python_manage, site, wait_until_up  # noqa: E402

PHASE_TIME_LIMIT = 40  # seconds per measured phase, whatever --requests says
TITLES = [
    "小区门口路灯不亮",
    "楼道里堆放杂物",
    "垃圾桶满了没人清运",
    "井盖松动有安全隐患",
    "流动摊贩占道经营",
    "楼下噪音扰民",
    "下水道堵塞污水外溢",
    "电线私拉乱接给电动车充电",
]


def request(port, method, path, body=None, token=None) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_phase(count, threads, make_call):
    """``count`` calls of ``make_call(i) -> status`` from ``threads`` threads; returns
    (done, seconds, statuses, latencies)."""
    lock = threading.Lock()
    next_index = iter(range(count))
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    stop_at = time.perf_counter() + PHASE_TIME_LIMIT

    def worker():
        while time.perf_counter() < stop_at:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            started = time.perf_counter()
            try:
                status = make_call(index)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(elapsed)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), time.perf_counter() - started, statuses, latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    # The shared test site: a temporary SQLite file with the tiny city, gunicorn with 2 sync
    # workers; no huey consumer is started.
    with site("sqlite") as here:
        port = here.port
        # The grid worker files cases in their own grid (do_create_case's scope rule).
        grid = shape(
            json.loads(
                python_manage(
                    here.env,
                    "shell",
                    "-v0",
                    "-c",
                    "import json; from org.models import User; print(json.dumps(User.objects"
                    ".get(username='demo-grid').assignments.get().node.geometry))",
                ).strip()
            )
        )
        here.server.start()
        wait_until_up(port, here.server)
        measure(args, port, grid, here.env)


def points_in(grid, rng, count) -> list[tuple[float, float]]:
    """``count`` random points inside the grid's polygon (rejection sampling)."""
    x0, y0, x1, y1 = grid.bounds
    points = []
    while len(points) < count:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if grid.contains(Point(x, y)):
            points.append((x, y))
    return points


def measure(args, port, grid, env):
    """The three phases against the running server; prints the table."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request(
        "POST",
        "/api/v1/auth/token",
        body=json.dumps({"username": "demo-grid", "password": "demo12345"}),
        headers={"Content-Type": "application/json"},
    )
    token = json.loads(connection.getresponse().read())["token"]
    connection.close()

    rng = random.Random(1)
    bodies = [
        {
            "title": rng.choice(TITLES),
            "channel": "grid_report",
            "location": {"lng": lng, "lat": lat},
            "reporter": {"name": "张三", "phone": "13800000000"},
        }
        for lng, lat in points_in(grid, rng, args.requests + 50)
    ]
    phases = [
        (
            "bare: GET /api/v1/cases/ (401, no query)",
            401,
            lambda i: request(port, "GET", "/api/v1/cases/"),
        ),
        (
            "authenticated no-op: GET /api/v1/cases/0/ (404)",
            404,
            lambda i: request(port, "GET", "/api/v1/cases/0/", token=token),
        ),
        (
            "intake: POST /api/v1/cases/ (201)",
            201,
            lambda i: request(port, "POST", "/api/v1/cases/", bodies[i], token=token),
        ),
    ]
    # Warm both workers up (imports, the grid index, the classifier's index).
    for _, _, call in phases:
        run_phase(20, args.threads, lambda i, call=call: call(args.requests + 30 + i % 20))

    rows = []
    for name, expected, call in phases:
        done, seconds, statuses, latencies = run_phase(args.requests, args.threads, call)
        errors = done - statuses.get(expected, 0)
        rows.append((name, done, errors, seconds, latencies, statuses))

    bare_rate = rows[0][1] / rows[0][3]
    print(
        f"gunicorn 2 sync workers on {HOST}, SQLite (WAL), jizhou tiny city, "
        f"{args.threads} client threads on the same machine ({os.cpu_count()} CPUs)\n"
    )
    columns = ["endpoint", "requests", "errors", "seconds", "requests/s", "ratio to bare"]
    columns += ["p50 ms", "p95 ms"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for name, done, errors, seconds, latencies, _ in rows:
        rate = done / seconds
        cuts = statistics.quantiles(latencies, n=20)
        print(
            f"| {name} | {done:,} | {errors} | {seconds:.2f} | {rate:,.1f} | "
            f"{rate / bare_rate:.3f} | {statistics.median(latencies) * 1000:.1f} | "
            f"{cuts[18] * 1000:.1f} |"
        )
    for name, _, errors, _, _, statuses in rows:
        if errors:
            print(f"\n{name}: statuses {statuses}", file=sys.stderr)
    created = python_manage(
        env, "shell", "-v0", "-c", "from cases.models import Case; print(Case.objects.count())"
    ).strip()
    print(f"\nCases in the database after the run: {created} (warm-up included)")


if __name__ == "__main__":
    main()
