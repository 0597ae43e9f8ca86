"""A backup restored into an empty database holds every case, timeline event, access-log
row and outbox row, byte for byte (row counts and a digest of every row)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audit.backup import BackupError, backup_database, data_digest, restore_database
from cases.models import Case, CaseEvent
from outbox.models import Outbox
from residents.models import AccessLog, Resident
from tests.conftest import build_city

ROOT = Path(settings.BASE_DIR)
NOW = "2026-11-20T18:00:00+08:00"


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "GRIDGOV_DEMO": "1"}
    env["GRIDGOV_TESTING"] = "1"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


DIGEST = "from audit.backup import data_digest; import json; print(json.dumps(data_digest()))"


def digest_of(database_url: str) -> dict:
    result = manage(database_url, "shell", "-c", DIGEST)
    assert result.returncode == 0, result.stderr
    return {
        label: tuple(value)
        for label, value in json.loads(result.stdout.strip().splitlines()[-1]).items()
    }


def make_history():
    build_city()
    call_command("make_cases", "--days=3", "--per-day=5", "--seed=2", f"--now={NOW}")
    call_command("make_participation", "--seed=2")
    actor = Case.objects.exclude(created_by=None).first().created_by
    for resident in Resident.objects.order_by("pk")[:3]:
        AccessLog.objects.create(actor=actor, resident=resident, field="phone", channel="page")
    assert Case.objects.exists() and CaseEvent.objects.exists()
    assert AccessLog.objects.exists() and Outbox.objects.exists()


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a second, empty database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    host = (s["HOST"] or "") + (f":{s['PORT']}" if s["PORT"] else "")
    yield f"postgres://{auth + '@' if auth else ''}{host}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_holds_every_case_timeline_and_ledger(tmp_path, empty_database):
    make_history()
    before = data_digest()
    dump = backup_database(tmp_path / "gridgov.backup")
    assert dump.stat().st_size > 0

    result = manage(empty_database, "restore", str(dump))
    assert result.returncode == 0, result.stderr

    after = digest_of(empty_database)
    assert after == before
    ledger = ("credit.CreditEntry", "credit.Redemption", "credit.StockChange")
    orders = ("participation.ServiceOrder", "participation.OrderEvent")
    for label in (
        "cases.Case",
        "cases.CaseEvent",
        "residents.AccessLog",
        "outbox.Outbox",
        *ledger,
        *orders,
    ):
        assert after[label][0] > 0, label


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_data_unless_forced(tmp_path, empty_database):
    make_history()
    dump = backup_database(tmp_path / "gridgov.backup")
    assert manage(empty_database, "restore", str(dump)).returncode == 0
    again = manage(empty_database, "restore", str(dump))
    assert again.returncode != 0 and "not empty" in again.stderr
    assert manage(empty_database, "restore", "--force", str(dump)).returncode == 0
    with pytest.raises(BackupError, match="not empty"):
        restore_database(dump)
    with pytest.raises(BackupError, match="no such backup"):
        restore_database(tmp_path / "missing")


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_writes_the_file(tmp_path):
    out = tmp_path / "cmd.backup"
    call_command("backup", str(out), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert out.stat().st_size > 0
