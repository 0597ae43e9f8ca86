"""Backups of the configured database: SQLite's online backup API, PostgreSQL's pg_dump
custom format; and restoring them, by default only into an empty database."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {vendor} databases are not supported")
    return vendor


def _pg_args(alias: str) -> tuple[list[str], dict]:
    settings = connections[alias].settings_dict
    args = []
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return [*args, "--dbname", settings["NAME"]], env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def backup_database(out: str | os.PathLike, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``out`` while it stays in use."""
    out = Path(out)
    if _vendor(alias) == "sqlite":
        connection = connections[alias]
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        args, env = _pg_args(alias)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), *args], env)
    return out


def is_empty(alias: str = "default") -> bool:
    """True when no table of the database holds a row (a fresh file, or bare migrations
    would still count as non-empty through django_migrations)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return False
    return True


def restore_database(source: str | os.PathLike, alias: str = "default", *, force=False) -> None:
    """Replace the database's contents with the backup at ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    if not force and not is_empty(alias):
        raise BackupError("the database is not empty; restore over it only with --force")
    connection = connections[alias]
    if _vendor(alias) == "sqlite":
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            origin.backup(connection.connection)
        finally:
            origin.close()
    else:
        connection.close()  # pg_restore --clean drops tables this connection may hold
        args, env = _pg_args(alias)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env,
        )


DIGEST_MODELS = [
    "cases.Case",
    "cases.CaseEvent",
    "cases.Assignment",
    "outbox.Outbox",
    "outbox.InboxMessage",
    "residents.Resident",
    "residents.AccessLog",
    "org.Household",
    "org.OrgNode",
    "audit.AuditLog",
    "credit.CreditAccount",
    "credit.CreditEntry",
    "credit.StoreItem",
    "credit.StockChange",
    "credit.Redemption",
    "participation.ServiceOrder",
    "participation.OrderEvent",
]


def data_digest(labels=DIGEST_MODELS, alias: str = "default") -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every row, per model: the same before a backup and after
    its restore, whatever the database, so a restore can be checked."""
    import hashlib

    from django.apps import apps

    result = {}
    for label in labels:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        digest, count = hashlib.sha256(), 0
        rows = model._base_manager.using(alias).order_by("pk").values_list(*fields)
        for row in rows.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
            count += 1
        result[label] = (count, digest.hexdigest())
    return result
