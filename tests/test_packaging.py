"""The project installs as a package, not only as a checkout: a non-editable install into
a fresh folder holds every app of INSTALLED_APPS with its templates, data files and
migrations, and Django starts from it outside the repository."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "staticfiles", "build", "*.egg-info",
    "__pycache__", ".*_cache", ".hypothesis", "*.sqlite3*", "vendor",
)  # fmt: skip

# Runs in the installed copy, with site-packages' .pth files off (python -S), so the
# development install's finder cannot lend it a missing app from the repository.
CHECK = r"""
import importlib, json, os, sys
from pathlib import Path
import django
from django.conf import settings
django.setup()
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.template.loader import get_template

target = os.environ["TARGET"]
found = {}
for name in settings.INSTALLED_APPS:
    module = importlib.import_module(name)
    found[name] = getattr(module, "__file__", None) or ""
call_command("check")
templates = {name: get_template(name).origin.name for name in json.loads(sys.argv[1])}
loader = MigrationLoader(None, ignore_no_migrations=True)
print(json.dumps({
    "apps": found,
    "templates": templates,
    "migrations": sorted({app for app, _ in loader.disk_migrations}),
    "data": sorted(str(path.relative_to(target)) for path in Path(target).glob("*/data/*")),
}))
"""


def _templates(root: Path) -> list[str]:
    """Every template of the repository, by the name a view renders it with."""
    names = []
    for folder in sorted(root.glob("*/templates")):
        names += [str(path.relative_to(folder)) for path in folder.rglob("*.html")]
    return names


def _apps_with_migrations(root: Path) -> list[str]:
    return sorted(path.parent.parent.name for path in root.glob("*/migrations/0001_*.py"))


def test_a_non_editable_install_holds_every_app_and_starts_outside_the_repository(tmp_path):
    source, target, elsewhere = tmp_path / "src", tmp_path / "site", tmp_path / "elsewhere"
    shutil.copytree(ROOT, source, ignore=SKIP, symlinks=False)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(source)],
        check=True, cwd=tmp_path, capture_output=True, timeout=300,
    )  # fmt: skip
    elsewhere.mkdir()
    site_packages = sysconfig.get_paths()["purelib"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))},
        "PYTHONPATH": os.pathsep.join([str(target), site_packages]),
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "GRIDGOV_DEMO": "1",
        "GRIDGOV_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'check.sqlite3'}",
        "TARGET": str(target),
    }
    templates = _templates(ROOT)
    done = subprocess.run(
        [sys.executable, "-S", "-c", CHECK, json.dumps(templates)],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])

    ours = [name for name in report["apps"] if (ROOT / name / "__init__.py").exists()]
    assert {"credit", "participation", "outbox", "idempotency"} <= set(ours)
    for name in ours:
        assert report["apps"][name].startswith(str(target)), (name, report["apps"][name])
    assert not (ROOT / "templates").exists(), "templates live in their app (or gridgov/)"
    assert templates and set(report["templates"]) == set(templates)
    for name, origin in report["templates"].items():
        assert origin.startswith(str(target)), (name, origin)
    assert set(_apps_with_migrations(ROOT)) <= set(report["migrations"])
    data = {str(path.relative_to(ROOT)) for path in ROOT.glob("*/data/*.toml")}
    assert data <= set(report["data"])
    assert not list(target.glob("*/tests")), "the apps' tests are not installed"
