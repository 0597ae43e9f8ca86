"""Crash safety under SIGKILL: the web server and the huey worker are killed at random
moments while a retrying client files cases and acts on them; afterwards every
acknowledged case and action must be stored exactly once and every notification
delivered exactly once.

    .venv/bin/python -m tests.crash.harness --db sqlite|postgres --kills 5 --seconds 20

Everything lives in a fresh temporary directory (huey queue, media, and the SQLite file)
or, for PostgreSQL, a fresh database next to the one in ``DATABASE_URL`` (dropped at the
end): ``migrate``, ``make_city --preset jizhou --scale tiny``, then gunicorn (2 sync
workers, 127.0.0.1, a free port) and ``manage.py run_huey`` as subprocesses, each in its
own process group so that a kill takes the master and its workers together.

The client (two threads, demo-grid filing, demo-community acting; a third thread at the
community's credit store awarding points to demo-resident and spending them for her) sends
every POST with its own Idempotency-Key and repeats it with the same key until it gets an
answer below 500; a refused or reset connection means the server is down: wait and
repeat. A killer thread sends SIGKILL to the server's process group and to the worker at
random moments and restarts them after a short pause.

At the end the server and the worker are restarted once more and stopped, the outbox is
drained by calling ``outbox.delivery.deliver`` directly, and the database is checked from
a subprocess (``--verify``), which prints a JSON report.
"""

import argparse
import http.client
import json
import random
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.servers import (
    HOST,
    ROOT,
    VENV_BIN,
    Service,
    Site,
    site,
    wait_until_up,
)

PASSWORD = "demo12345"
REQUEST_TIMEOUT = 15
DOWN_PAUSE = (0.2, 0.8)  # seconds a killed process stays down
CLIENT_THREADS = 2
# The life of each case after intake: (action, extra body), all by demo-community.
LIFE = [
    ("accept", {}),
    ("handle", {}),
    ("progress", {}),
    ("resolve", {}),
    ("close", {}),
]
# Events that are not the result of an action with a version bump.
NON_ACTION_EVENTS = ("submit", "light")


# -- the client ---------------------------------------------------------------------------


@dataclass
class Tally:
    """What the client saw."""

    attempts: int = 0  # HTTP requests sent, retries included
    requests: int = 0  # logical requests (one per Idempotency-Key)
    connection_errors: int = 0
    server_errors: int = 0  # answers >= 500
    replays: int = 0  # answers carrying Idempotent-Replay: true
    created: list = field(default_factory=list)  # [key, case id, number]
    acted: list = field(default_factory=list)  # [key, case id, action, version before]
    awarded: list = field(default_factory=list)  # [key, ledger entry id]
    redeemed: list = field(default_factory=list)  # [key, redemption id]
    unexpected: list = field(default_factory=list)  # [key, status, body]
    keys_sent: list = field(default_factory=list)  # every key, acknowledged or not

    def add(self, other: "Tally") -> None:
        for name, value in asdict(other).items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)


class Client:
    """A JSON client over a fresh connection per attempt, retrying POSTs with one key."""

    def __init__(self, port: int, token: str, tally: Tally, stop: threading.Event, progress=None):
        self.port, self.token, self.tally, self.stop = port, token, tally, stop
        self.progress = progress

    def once(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        all_headers = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        try:
            connection.request(method, path, body=data, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw[:200].decode(errors="replace")
            return response.status, payload, response.getheader("Idempotent-Replay")
        finally:
            connection.close()

    def post(self, path, body, key, give_up_at=None):
        """POST until an answer below 500; None when stopped (or past ``give_up_at``)
        before one came."""
        self.tally.requests += 1
        self.tally.keys_sent.append(key)
        while True:
            if give_up_at is not None and time.monotonic() > give_up_at:
                return None
            self.tally.attempts += 1
            try:
                status, payload, replay = self.once("POST", path, body, {"Idempotency-Key": key})
            except (OSError, http.client.HTTPException):
                self.tally.connection_errors += 1
                time.sleep(0.1)
                continue
            if status >= 500:
                self.tally.server_errors += 1
                self.tally.unexpected.append([key, status, payload])
                time.sleep(0.1)
                continue
            if replay == "true":
                self.tally.replays += 1
            if self.progress is not None:
                self.progress.tick()
            return status, payload

    def get(self, path):
        while not self.stop.is_set():
            try:
                return self.once("GET", path)[:2]
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        return None


def run_client(port, tokens, stop, drain_deadline, tally: Tally, seed, progress=None):
    """File cases as demo-grid and take each through its life as demo-community until
    ``stop``; a request under way when ``stop`` is set is finished (retried) until
    ``drain_deadline``."""
    rng = random.Random(seed)
    filer = Client(port, tokens["demo-grid"], tally, stop, progress)
    actor = Client(port, tokens["demo-community"], tally, stop, progress)
    while not stop.is_set():
        key = f"crash-{uuid.uuid4().hex}"
        body = {
            "title": f"压测 {key}",
            "channel": "grid_report",
            "description": "crash harness",
        }
        answer = filer.post("/api/v1/cases/", body, key, give_up_at=drain_deadline())
        if answer is None:
            return
        status, payload = answer
        if status != 201:
            tally.unexpected.append([key, status, payload])
            continue
        tally.created.append([key, payload["id"], payload["number"]])
        case_id, version = payload["id"], payload["version"]
        for action, extra in LIFE[: rng.randint(1, len(LIFE))]:
            if stop.is_set():
                return
            key = f"crash-{uuid.uuid4().hex}"
            note_field = "result" if action == "resolve" else "note"
            body = {"version": version, note_field: key, **extra}
            path = f"/api/v1/cases/{case_id}/actions/{action}/"
            answer = actor.post(path, body, key, give_up_at=drain_deadline())
            if answer is None:
                return
            status, payload = answer
            if status != 200:
                tally.unexpected.append([key, status, payload])
                break
            tally.acted.append([key, case_id, action, version])
            version = payload["version"]


# Each round at the store: 2 deeds of neighbour_help (2 points each), then one item of
# LEDGER_COST points spent for the resident, so a round leaves the balance where it was.
LEDGER_COST = 4


def prepare_ledger(port, tokens) -> dict:
    """demo-community opens an item in her community's store; the resident's id."""
    tally, stop = Tally(), threading.Event()
    community = Client(port, tokens["demo-community"], tally, stop)
    status, nodes = community.get("/api/v1/org/nodes/")
    node_code = nodes[0]["code"]
    body = {"node_code": node_code, "name": "压测商品", "cost": LEDGER_COST, "stock": 10_000}
    status, item = community.post("/api/v1/credit/items/", body, f"crash-{uuid.uuid4().hex}")
    if status != 201:
        raise RuntimeError(f"no store item: {status} {item}")
    resident = Client(port, tokens["demo-resident"], tally, stop)
    status, account = resident.get("/api/v1/credit/accounts/mine/")
    return {"item": item["id"], "resident": account["resident"]}


def run_ledger_client(port, tokens, stop, drain_deadline, tally: Tally, ledger, progress=None):
    """Award and spend points for demo-resident at the store until ``stop``: each round an
    award (noted with its key) and a redemption, each acknowledged one kept in ``tally``."""
    clerk = Client(port, tokens["demo-community"], tally, stop, progress)
    steps = [
        (
            "/api/v1/credit/awards/",
            tally.awarded,
            lambda key: {
                "resident": ledger["resident"],
                "rule": "neighbour_help",
                "quantity": 2,
                "note": key,
            },
        ),
        (
            "/api/v1/credit/redemptions/",
            tally.redeemed,
            lambda key: {
                "item": ledger["item"],
                "resident": ledger["resident"],
            },
        ),
    ]
    while not stop.is_set():
        for path, acknowledged, body in steps:
            key = f"crash-{uuid.uuid4().hex}"
            answer = clerk.post(path, body(key), key, give_up_at=drain_deadline())
            if answer is None:
                return
            status, payload = answer
            if status != 201:
                tally.unexpected.append([key, status, payload])
                break
            acknowledged.append([key, payload["id"]])
            if stop.is_set():
                return


# -- the killer ---------------------------------------------------------------------------


class Progress:
    """Answers (below 500) the clients have had, so that a kill waits for some work."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def tick(self):
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait_beyond(self, count, stop: threading.Event, timeout=60.0) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.count <= count and not stop.is_set() and time.monotonic() < deadline:
                self.changed.wait(0.2)


def killer(service: Service, kills, period, progress: Progress, stop, rng: random.Random):
    """Kill ``service`` ``kills`` times, restarting it after a short pause. Each kill comes
    at a random moment within ``period`` seconds after the clients had an answer from the
    restarted processes, so that a loaded machine still does work between kills (and the
    kill usually lands on a request under way)."""
    for _ in range(kills):
        progress.wait_beyond(progress.count, stop)
        if stop.wait(rng.uniform(0.0, period)):
            return
        service.kill()
        time.sleep(rng.uniform(*DOWN_PAUSE))
        service.start()


# -- the run ------------------------------------------------------------------------------


@dataclass
class Report:
    db: str
    seconds: float
    setup_seconds: float
    load_seconds: float
    server_kills: int
    worker_kills: int
    requests: int
    attempts: int
    connection_errors: int
    server_errors: int
    replays: int
    acknowledged: int
    persisted: int
    lost: int
    duplicated: int
    actions_acknowledged: int
    actions_persisted: int
    actions_lost: int
    actions_duplicated: int
    timeline_gaps: int
    outbox_rows: int
    outbox_left_by_worker: int
    outbox_undelivered: int
    outbox_without_message: int
    inbox_duplicated: int
    inbox_orphans: int
    awards_acknowledged: int
    awards_persisted: int
    awards_lost: int
    awards_duplicated: int
    redemptions_acknowledged: int
    redemptions_persisted: int
    redemptions_lost: int
    redemptions_duplicated: int
    ledger_mismatches: int
    unexpected: list
    problems: list

    @property
    def ok(self) -> bool:
        return not (
            self.server_errors
            or self.lost
            or self.duplicated
            or self.actions_lost
            or self.actions_duplicated
            or self.timeline_gaps
            or self.outbox_undelivered
            or self.outbox_without_message
            or self.inbox_duplicated
            or self.inbox_orphans
            or self.awards_lost
            or self.awards_duplicated
            or self.redemptions_lost
            or self.redemptions_duplicated
            or self.ledger_mismatches
        )

    def text(self) -> str:
        lines = [
            f"crash run on {self.db}: {self.seconds:.0f} s ({self.setup_seconds:.0f} s setting up,"
            f" {self.load_seconds:.0f} s under load and kills), kills: server"
            f" {self.server_kills}, worker {self.worker_kills}",
            f"  requests {self.requests} ({self.attempts} attempts, "
            f"{self.connection_errors} connection errors, {self.server_errors} answers >= 500, "
            f"{self.replays} replays)",
            f"  cases: acknowledged {self.acknowledged}, persisted {self.persisted}, "
            f"lost {self.lost}, duplicated {self.duplicated}",
            f"  actions: acknowledged {self.actions_acknowledged}, persisted "
            f"{self.actions_persisted}, lost {self.actions_lost}, duplicated "
            f"{self.actions_duplicated}; timelines with a gap {self.timeline_gaps}",
            f"  outbox: {self.outbox_rows} rows, {self.outbox_left_by_worker} left for the final"
            f" drain by the worker, undelivered after it {self.outbox_undelivered}, "
            f"delivered without a message {self.outbox_without_message}, "
            f"delivered twice {self.inbox_duplicated}, inbox orphans {self.inbox_orphans}",
            f"  credit: awards acknowledged {self.awards_acknowledged}, persisted "
            f"{self.awards_persisted}, lost {self.awards_lost}, duplicated "
            f"{self.awards_duplicated}; redemptions acknowledged "
            f"{self.redemptions_acknowledged}, persisted {self.redemptions_persisted}, lost "
            f"{self.redemptions_lost}, duplicated {self.redemptions_duplicated}; balances or "
            f"stock not matching their ledger {self.ledger_mismatches}",
        ]
        for item in self.unexpected[:10]:
            lines.append(f"  unexpected answer: {item}")
        for item in self.problems[:20]:
            lines.append(f"  problem: {item}")
        return "\n".join(lines)


def run(db="sqlite", kills=5, seconds=20.0, worker_kills=None, seed=None, keep=False) -> Report:
    rng = random.Random(seed)
    started = time.monotonic()
    with site(db, keep) as here:
        report = _run(here, rng, started, kills, seconds, worker_kills)
        here.keep = here.keep or not report.ok  # the server's tracebacks are in its log
        return report


def _run(here: Site, rng, started, kills, seconds, worker_kills) -> Report:
    db, workdir, env, port = here.db, here.workdir, here.env, here.port
    server, worker = here.server, here.worker
    setup_seconds = time.monotonic() - started
    server.start()
    worker.start()
    wait_until_up(port, server)
    loaded = time.monotonic()
    tokens = {}
    for username in ("demo-grid", "demo-community", "demo-resident"):
        status, payload, _ = Client(port, None, Tally(), threading.Event()).once(
            "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"no token for {username}: {status} {payload}")
        tokens[username] = payload["token"]

    stop = threading.Event()
    drain_until = [None]
    progress = Progress()

    def drain_deadline():
        return drain_until[0]

    tallies = [Tally() for _ in range(CLIENT_THREADS)]
    clients = [
        threading.Thread(
            target=run_client,
            args=(port, tokens, stop, drain_deadline, tally, rng.random(), progress),
            daemon=True,
        )
        for tally in tallies
    ]
    ledger_tally = Tally()
    tallies.append(ledger_tally)
    ledger = prepare_ledger(port, tokens)
    clients.append(
        threading.Thread(
            target=run_ledger_client,
            args=(port, tokens, stop, drain_deadline, ledger_tally, ledger, progress),
            daemon=True,
        )
    )
    worker_kills = max(2, kills // 2) if worker_kills is None else worker_kills
    killers = [
        threading.Thread(
            target=killer,
            args=(service, n, seconds / n, progress, stop, random.Random(rng.random())),
            daemon=True,
        )
        for service, n in ((server, kills), (worker, worker_kills))
        if n
    ]
    for thread in clients + killers:
        thread.start()
    # At least ``seconds``, and until every kill is done (within a limit).
    give_up_at = time.monotonic() + max(60.0, seconds * 6)
    time.sleep(seconds)
    for thread in killers:
        thread.join(timeout=max(0.0, give_up_at - time.monotonic()))
    stop.set()
    for thread in killers:
        thread.join()
    # The service killed last may be down; give requests under way time to finish.
    for service in (server, worker):
        if service.process is None:
            service.start()
    drain_until[0] = time.monotonic() + 60
    for thread in clients:
        thread.join()
    load_seconds = time.monotonic() - loaded

    # A final restart of both, a moment for the worker to catch up, then stop them.
    server.stop()
    worker.stop()
    server.start()
    worker.start()
    wait_until_up(port, server)
    time.sleep(1.0)
    server.stop()
    worker.stop()

    tally = Tally()
    for one in tallies:
        tally.add(one)
    expected = workdir / "expected.json"
    expected.write_text(
        json.dumps(
            {
                "created": tally.created,
                "acted": tally.acted,
                "awarded": tally.awarded,
                "redeemed": tally.redeemed,
                "keys": tally.keys_sent,
            }
        )
    )
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "tests.crash.harness", "--verify", str(expected)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "gridgov.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return Report(
        db=db,
        seconds=time.monotonic() - started,
        setup_seconds=setup_seconds,
        load_seconds=load_seconds,
        server_kills=server.kills,
        worker_kills=worker.kills,
        requests=tally.requests,
        attempts=tally.attempts,
        connection_errors=tally.connection_errors,
        server_errors=tally.server_errors,
        replays=tally.replays,
        acknowledged=len(tally.created),
        actions_acknowledged=len(tally.acted),
        awards_acknowledged=len(tally.awarded),
        redemptions_acknowledged=len(tally.redeemed),
        unexpected=tally.unexpected,
        **found,
    )


# -- the check, inside Django -------------------------------------------------------------


def drain_outbox() -> int:
    from outbox.delivery import deliver, due_rows

    delivered = 0
    while True:
        due = due_rows()
        done = sum(1 for row_id in due if deliver(row_id))
        delivered += done
        if not due or not done:
            return delivered


def verify(expected: dict) -> dict:
    """Compare what the client saw with the database; returns the counts for Report."""
    from django.db.models import Count

    from cases.models import Case, CaseEvent
    from idempotency.models import IdempotentRequest
    from outbox.models import InboxMessage, Outbox

    problems = []
    left_by_worker = Outbox.objects.filter(delivered_at=None).count()
    drain_outbox()

    # Cases: each acknowledged one exactly once, by number and by its key's record.
    keys = set(expected["keys"])
    by_title = {}
    for pk, title in Case.objects.filter(title__startswith="压测 crash-").values_list(
        "pk", "title"
    ):
        by_title.setdefault(title.split(" ", 1)[1], []).append(pk)
    records = {
        record.key: record for record in IdempotentRequest.objects.filter(key__in=list(keys))
    }
    persisted = lost = duplicated = 0
    for key, case_id, number in expected["created"]:
        count = Case.objects.filter(number=number).count()
        record = records.get(key)
        same = Case.objects.filter(pk=case_id, number=number).exists()
        if count == 1 and same and record is not None and record.body.get("number") == number:
            persisted += 1
        else:
            lost += count == 0
            problems.append(f"case {number} ({key}): {count} rows, key record {record}")
    for key, pks in by_title.items():
        if len(pks) > 1:
            duplicated += len(pks) - 1
            problems.append(f"key {key} made cases {pks}")
        if key not in keys:
            problems.append(f"case {pks} with a key the client never sent")
    for key, record in records.items():
        if record.status_code == 201 and record.path == "/api/v1/cases/" and key not in by_title:
            lost += 1
            problems.append(f"key {key} answered 201 but its case is gone")

    # Actions: each acknowledged one exactly once on its case's timeline.
    notes = dict(
        CaseEvent.objects.filter(note__startswith="crash-")
        .values_list("note")
        .annotate(n=Count("pk"))
        .values_list("note", "n")
    )
    actions_persisted = actions_lost = actions_duplicated = 0
    for key, case_id, action, version in expected["acted"]:
        n = notes.get(key, 0)
        if n == 1 and CaseEvent.objects.filter(case_id=case_id, action=action, note=key).exists():
            actions_persisted += 1
        elif n == 0:
            actions_lost += 1
            problems.append(f"action {action} on case {case_id} v{version} ({key}) is missing")
    for key, n in notes.items():
        if n > 1:
            actions_duplicated += n - 1
            problems.append(f"action {key} is on the timeline {n} times")

    # Timelines: one event per version bump, each starting where the last one ended.
    gaps = 0
    case_ids = [case_id for _, case_id, _ in expected["created"]]
    events = {}
    for event in CaseEvent.objects.filter(case_id__in=case_ids).order_by("at", "pk"):
        events.setdefault(event.case_id, []).append(event)
    for case in Case.objects.filter(pk__in=case_ids):
        timeline = events.get(case.pk, [])
        actions = [e for e in timeline if e.action not in NON_ACTION_EVENTS]
        chain_ok = bool(timeline) and timeline[0].action == "submit"
        status = timeline[0].to_status if timeline else None
        for event in actions:
            chain_ok = chain_ok and event.from_status == status
            status = event.to_status
        if len(actions) != case.version - 1 or not chain_ok or status != case.status:
            gaps += 1
            problems.append(
                f"case {case.number} v{case.version} {case.status}: "
                + ", ".join(f"{e.action} {e.from_status}->{e.to_status}" for e in timeline)
            )

    # Outbox and inbox: everything delivered, once.
    outbox_rows = Outbox.objects.count()
    undelivered = Outbox.objects.filter(delivered_at=None).count()
    without_message = Outbox.objects.filter(
        channel="inbox", delivered_at__isnull=False, message__isnull=True
    ).count()
    twice = InboxMessage.objects.values("outbox_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    orphans = InboxMessage.objects.exclude(outbox_id__in=Outbox.objects.values("pk")).count()
    if undelivered:
        problems.append(
            "undelivered: "
            + repr(list(Outbox.objects.filter(delivered_at=None).values_list("channel", "event")))
        )
    ledger = verify_ledger(expected, records, problems)
    return {
        **ledger,
        "persisted": persisted,
        "lost": lost,
        "duplicated": duplicated,
        "actions_persisted": actions_persisted,
        "actions_lost": actions_lost,
        "actions_duplicated": actions_duplicated,
        "timeline_gaps": gaps,
        "outbox_rows": outbox_rows,
        "outbox_left_by_worker": left_by_worker,
        "outbox_undelivered": undelivered,
        "outbox_without_message": without_message,
        "inbox_duplicated": twice,
        "inbox_orphans": orphans,
        "problems": problems,
    }


def verify_ledger(expected: dict, records: dict, problems: list) -> dict:
    """Each acknowledged award and redemption once; every balance and stock equal to the
    sum of its ledger."""
    from django.db.models import Count, Sum

    from credit.models import CreditAccount, CreditEntry, Redemption, StockChange, StoreItem

    notes = dict(
        CreditEntry.objects.filter(note__startswith="crash-")
        .values_list("note")
        .annotate(n=Count("pk"))
        .values_list("note", "n")
    )
    awards = {"awards_persisted": 0, "awards_lost": 0, "awards_duplicated": 0}
    for key, entry_id in expected["awarded"]:
        n = notes.get(key, 0)
        if n == 1 and CreditEntry.objects.filter(pk=entry_id, note=key).exists():
            awards["awards_persisted"] += 1
        elif n == 0:
            awards["awards_lost"] += 1
            problems.append(f"award {key} is missing")
    for key, n in notes.items():
        if n > 1:
            awards["awards_duplicated"] += n - 1
            problems.append(f"award {key} is in the ledger {n} times")
    # Every redemption of the run has exactly one key record that answered it.
    answered = {
        record.body.get("id")
        for record in records.values()
        if record.path.endswith("/credit/redemptions/") and record.status_code == 201
    }
    made = set(Redemption.objects.filter(item__name="压测商品").values_list("pk", flat=True))
    acknowledged = {redemption_id for _, redemption_id in expected["redeemed"]}
    redemptions = {
        "redemptions_persisted": len(acknowledged & made),
        "redemptions_lost": len(acknowledged - made),
        "redemptions_duplicated": len(made - answered),
    }
    if acknowledged - made or made - answered:
        problems.append(
            f"redemptions lost {sorted(acknowledged - made)}, unanswered {sorted(made - answered)}"
        )
    mismatches = 0
    for account in CreditAccount.objects.all():
        total = account.entries.aggregate(total=Sum("delta"))["total"] or 0
        if total != account.balance:
            mismatches += 1
            problems.append(f"account {account.pk}: balance {account.balance}, ledger {total}")
    for item in StoreItem.objects.all():
        total = StockChange.objects.filter(item=item).aggregate(total=Sum("delta"))["total"]
        if (total or 0) != item.stock:
            mismatches += 1
            problems.append(f"item {item.pk}: stock {item.stock}, changes {total}")
    return {**awards, **redemptions, "ledger_mismatches": mismatches}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kills", type=int, default=5, help="server kills (at least)")
    parser.add_argument("--worker-kills", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--verify", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.verify:
        import django

        django.setup()
        print(json.dumps(verify(json.loads(Path(args.verify).read_text()))))
        return 0
    report = run(
        args.db,
        kills=args.kills,
        seconds=args.seconds,
        worker_kills=args.worker_kills,
        seed=args.seed,
        keep=args.keep,
    )
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
