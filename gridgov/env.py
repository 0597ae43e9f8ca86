"""Strict readers for settings that come from environment variables.

Each helper refuses a value it cannot parse instead of guessing, so a typo in a
deployment fails at start-up rather than at the first request. Every variable
read here is documented in the README's "Settings" table.
"""

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class EnvError(ValueError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, *, base_dir) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as SQLAlchemy writes them.
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise EnvError(f"DATABASE_URL={url!r} names no SQLite file")
        name = path if os.path.isabs(path) else str(base_dir / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL lets readers and one writer work at once; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise EnvError(f"DATABASE_URL={url!r} names no database")
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": options,
        }
    raise EnvError(f"DATABASE_URL={url!r}: only sqlite:/// and postgres:// are supported")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "db"


def instance_name(database: dict, *, var_root: Path) -> str:
    """A name for the instance that owns ``database`` (a DATABASES entry), unique to it:

    - SQLite: the file's stem (``var/demo-jizhou-county.sqlite3`` → ``demo-jizhou-county``),
      with 8 hex digits of its absolute path's SHA-256 when it lives outside ``var_root``
      (two ``db.sqlite3`` in different folders stay apart);
    - PostgreSQL: ``pg-<host>[-<port>]-<name>``, the host ``local`` for the local socket.

    Characters other than letters, digits, ``_ . -`` become ``_``."""
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"]).absolute()
        name = _slug(path.stem)
        if path.parent != var_root.absolute():
            name += "-" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
        return name
    parts = ["pg", database.get("HOST") or "local", database.get("PORT") or "", database["NAME"]]
    return _slug("-".join(part for part in parts if part))
