"""Shared fixtures: a small generated city with the demo accounts, and real HTTP helpers."""

import json
import os
import shutil
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from presets.loader import PRESET_KEYS, do_load_preset
from simulate.citygen import DEMO_PASSWORD, CityGenerator
from tests.browser import browser, open_phone  # noqa: F401 (the browser tests' fixtures)

DEMO_USERS = [
    "demo-admin",
    "demo-leader",
    "demo-street",
    "demo-community",
    "demo-grid",
    "demo-dept",
    "demo-resident",
    "demo-volunteer",
]


# For tests that start their own servers on a fresh PostgreSQL database (next to the one in
# DATABASE_URL), with createdb and dropdb.
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
    or shutil.which("createdb") is None,
    reason="needs DATABASE_URL=postgres://… and the PostgreSQL client tools",
)


# Tests that answer the same on either database run in the SQLite half of CI only (the
# PostgreSQL half runs -m "not once"): those with their own SQLite servers or no database,
# and the presets other than the demo's in tests repeated over every preset (a preset
# changes the tables and texts the code reads, not the SQL it sends: the demo's preset
# walks the same SQL on PostgreSQL).
once = pytest.mark.once
ON_SQLITE = pytest.param("sqlite", marks=once)
ON_POSTGRES = pytest.param("postgres", marks=needs_postgres)
DEMO_PRESET = "jizhou"
EVERY_PRESET = [pytest.param(key, marks=() if key == DEMO_PRESET else once) for key in PRESET_KEYS]


def build_city(preset=DEMO_PRESET, seed=1):
    do_load_preset(preset)
    return CityGenerator("tiny", seed).run()


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """A tiny Jizhou city committed once per test module; each test still runs in its own
    rolled-back transaction (use it together with ``db``)."""
    with django_db_blocker.unblock():
        summary = build_city()
        yield summary
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def live_city(transactional_db, live_server):
    """A tiny city behind a real HTTP server; returns the server's base URL."""
    build_city()
    return live_server.url


class Http:
    """A minimal JSON client over real HTTP (urllib), holding an optional bearer token."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return status, payload

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def login(self, username, password=DEMO_PASSWORD):
        status, payload = self.post(
            "/api/v1/auth/token", {"username": username, "password": password}
        )
        assert status == 200, payload
        return Http(self.base_url, payload["token"])
