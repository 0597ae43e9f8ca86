import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.env import EnvError, env_bool, env_int, instance_name, parse_database_url

pytestmark = pytest.mark.once  # settings and subprocesses of their own: no database
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


# -- one instance's state follows its database ---------------------------------------------

_SHOW_STATE = (
    "from django.conf import settings; "
    "print(settings.HUEY.get('filename'), settings.HUEY['name'], settings.MEDIA_ROOT, sep='|')"
)


def _state(database_url: str, *, entry: str = "wsgi", var_dir: str | None = None) -> str:
    """What a process started with ``database_url`` takes for its queue and media: the web
    side (the WSGI module gunicorn loads) or the huey consumer's (manage.py, as run_huey)."""
    env = {"GRIDGOV_DEMO": "1", "DATABASE_URL": database_url}
    if var_dir is not None:
        env["GRIDGOV_VAR_DIR"] = var_dir
    if entry == "wsgi":
        command = [sys.executable, "-c", f"import gridgov.wsgi; {_SHOW_STATE}"]
    else:
        command = [sys.executable, "manage.py", "shell", "-c", _SHOW_STATE]
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRIDGOV_", "DATABASE_URL", "REDIS_URL", "HUEY_", "DJANGO_"))
    }
    result = subprocess.run(
        command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def var_names():
    """Names of SQLite files in var/ for this test; the folders made for them are removed."""
    names = [f"test-state-{os.getpid()}-{n}" for n in range(2)]
    yield names
    for name in names:
        shutil.rmtree(ROOT / "var" / name, ignore_errors=True)
    for folder in (ROOT / "var").glob("pg-statetest-*"):
        shutil.rmtree(folder, ignore_errors=True)


def test_two_databases_never_share_a_queue_or_media(var_names):
    one, two = (f"sqlite:///var/{name}.sqlite3" for name in var_names)
    first, second = _state(one), _state(two)
    assert first != second
    queue, name, media = first.split("|")
    assert queue == str(ROOT / "var" / var_names[0] / "huey.sqlite3")
    assert media == str(ROOT / "var" / var_names[0] / "media")
    assert name == f"gridgov-{var_names[0]}"
    # The same database: the same state, for the web processes and the huey consumer alike.
    assert _state(one) == first == _state(one, entry="manage")
    pg_one, pg_two = _state("postgres://statetest:5432/a"), _state("postgres://statetest:5432/b")
    assert pg_one != pg_two and pg_one.split("|")[2].endswith("var/pg-statetest-5432-a/media")


def test_an_explicit_var_dir_still_wins(tmp_path, var_names):
    url = f"sqlite:///var/{var_names[0]}.sqlite3"
    queue, _, media = _state(url, var_dir=str(tmp_path)).split("|")
    assert (queue, media) == (str(tmp_path / "huey.sqlite3"), str(tmp_path / "media"))


def test_instance_names():
    var = ROOT / "var"
    sqlite = parse_database_url("sqlite:///var/demo-jizhou-county.sqlite3", base_dir=ROOT)
    assert instance_name(sqlite, var_root=var) == "demo-jizhou-county"
    # Two db.sqlite3 outside var/ stay apart.
    a = instance_name(
        parse_database_url("sqlite:////srv/a/db.sqlite3", base_dir=ROOT), var_root=var
    )
    b = instance_name(
        parse_database_url("sqlite:////srv/b/db.sqlite3", base_dir=ROOT), var_root=var
    )
    assert a != b and a.startswith("db-") and len(a) == len("db-") + 8
    local = parse_database_url("postgres:///gridgov", base_dir=ROOT)
    assert instance_name(local, var_root=var) == "pg-local-gridgov"
    remote = parse_database_url("postgres://u:p@db.example:5433/gov", base_dir=ROOT)
    assert instance_name(remote, var_root=var) == "pg-db.example-5433-gov"
