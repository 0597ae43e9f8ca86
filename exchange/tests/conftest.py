"""Fixtures of the exchange tests: the shared tiny city, the default hotline systems,
uploads kept in a temporary folder, and generated 12345 files."""

import pytest

from exchange.models import HotlineSystem
from org.models import User
from simulate.hotlinegen import HotlineFileGenerator
from tests.conftest import city, live_city  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def user(username) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def system(db, city):  # noqa: F811 (the shared fixture, requested)
    # Loading the preset created it (exchange's preset section).
    return HotlineSystem.objects.get(slug="hotline-12345")


def make_file(path, rows=500, seed=7, encoding="utf-8-sig", **options):
    generator = HotlineFileGenerator(rows, seed=seed, **options)
    generator.write(path, encoding=encoding)
    return generator


@pytest.fixture
def hotline_csv(system, tmp_path):
    path = tmp_path / "orders.csv"
    return path, make_file(path, system=system)
