"""Servers for tests and benchmarks: gunicorn and the huey worker as subprocesses over a
fresh database with the tiny Jizhou city (a SQLite file in a temporary directory, or a new
PostgreSQL database next to the one in ``DATABASE_URL``, dropped afterwards).

Used by the crash harness (which kills them), the races over two gunicorn processes, and
``bench/intake.py``.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Service:
    """A subprocess in its own process group, killed with SIGKILL and started again."""

    def __init__(self, name, argv, env, log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen | None = None
        self.kills = 0
        self.lock = threading.Lock()

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self):
        """SIGKILL the whole process group (gunicorn's master and workers)."""
        with self.lock:
            if self.process is None:
                return
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None
            self.kills += 1

    def stop(self):
        with self.lock:
            if self.process is None:
                return
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None


def python_manage(env, *args, capture=True) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def wait_until_up(port, service: Service, deadline=60.0):
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/api/v1/cases/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            if service.process is not None and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited during start-up") from None
            time.sleep(0.1)
    raise RuntimeError(f"{service.name} did not answer in time")


def _child_env(workdir: Path, database_url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GRIDGOV_TESTING", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        GRIDGOV_DEMO="1",
        HUEY_IMMEDIATE="0",
        DATABASE_URL=database_url,
        GRIDGOV_VAR_DIR=str(workdir),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    return env


def _postgres_target(name: str) -> tuple[str, dict]:
    """The URL of a database ``name`` on the server of ``DATABASE_URL`` (the local socket
    when that is not PostgreSQL), and the environment for createdb/dropdb to reach it."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        url = urllib.parse.urlsplit("postgres:///")
    pg_env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.hostname),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value:
            pg_env[variable] = urllib.parse.unquote(str(value))
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}")), pg_env


@dataclass
class Site:
    """A migrated database with a tiny city, and its server and worker (not started)."""

    db: str
    workdir: Path
    env: dict
    port: int
    server: Service
    worker: Service
    keep: bool = False  # keep the directory (logs) afterwards

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextlib.contextmanager
def site(db="sqlite", keep=False):
    """A temporary directory and database (SQLite file, or a new PostgreSQL database
    dropped afterwards) with the tiny Jizhou city; stops the services on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix=f"gridgov-site-{db}-"))
    pg_name = pg_env = None
    if db == "postgres":
        pg_name = f"gridgov_site_{uuid.uuid4().hex[:10]}"
        database_url, pg_env = _postgres_target(pg_name)
        subprocess.run(["createdb", pg_name], check=True, env=pg_env)
    elif db == "sqlite":
        database_url = f"sqlite:///{workdir / 'site.sqlite3'}"
    else:
        raise ValueError(f"unknown database {db!r}")
    env = _child_env(workdir, database_url)
    port = free_port()
    server = Service(
        "gunicorn",
        [
            str(VENV_BIN / "gunicorn"),
            "gridgov.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--no-control-socket",
        ],
        env,
        workdir / "gunicorn.log",
    )
    worker = Service(
        "huey",
        [str(VENV_BIN / "python"), "manage.py", "run_huey", "--quiet"],
        env,
        workdir / "huey.log",
    )
    here = Site(db, workdir, env, port, server, worker, keep)
    try:
        python_manage(env, "migrate", "--noinput", "-v0")
        python_manage(env, "make_city", "--preset", "jizhou", "--scale", "tiny", "--seed", "1")
        yield here
    finally:
        server.stop()
        worker.stop()
        if pg_name:
            subprocess.run(["dropdb", "--if-exists", pg_name], check=False, env=pg_env)
        if here.keep:
            print(f"kept {workdir} (gunicorn.log, huey.log)", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def served(db="sqlite"):
    """gunicorn and the worker over a fresh tiny city; yields the server's base URL."""
    with site(db) as here:
        here.server.start()
        here.worker.start()
        wait_until_up(here.port, here.server)
        yield here.base_url
