import os
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.env import EnvError, env_bool, env_int, parse_database_url

ROOT = Path(__file__).resolve().parent.parent


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError):
        env_bool("X_FLAG", False)


def test_integers_are_strict(monkeypatch):
    monkeypatch.setenv("X_NUM", "12a")
    with pytest.raises(EnvError):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "-1")
    with pytest.raises(EnvError):
        env_int("X_NUM", 1, minimum=0)


def test_database_urls():
    sqlite = parse_database_url("sqlite:///var/x.sqlite3", base_dir=ROOT)
    assert sqlite["NAME"] == str(ROOT / "var/x.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert parse_database_url("sqlite:////tmp/x.sqlite3", base_dir=ROOT)["NAME"] == "/tmp/x.sqlite3"
    pg = parse_database_url("postgres://u:p%40ss@db:5433/gov?sslmode=require", base_dir=ROOT)
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u",
        "p@ss",
        "db",
        "5433",
        "gov",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(EnvError):
        parse_database_url("mysql://x/y", base_dir=ROOT)


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRIDGOV_", "DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SECRET_KEY": "k" * 64 + "-production-secret-with-enough-variety-!@#$%^",
            "ALLOWED_HOSTS": "gov.example.org",
            "DEBUG": "0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_token_maximum_shorter_than_its_lifetime_is_refused():
    result = _manage(
        "check", env={"GRIDGOV_DEMO": "1", "API_TOKEN_HOURS": "200", "API_TOKEN_MAX_DAYS": "7"}
    )
    assert result.returncode != 0
    assert "API_TOKEN_MAX_DAYS=7 is shorter than API_TOKEN_HOURS" in result.stderr
