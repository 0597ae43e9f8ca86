import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.calendar import seed_calendar
from presets.loader import do_load_preset
from simulate.citygen import CityGenerator


@pytest.fixture
def tz():
    return timezone.get_default_timezone()


@pytest.fixture
def local(tz):
    """local(2026, 9, 30, 10) -> an aware datetime in Asia/Shanghai."""

    def make(*args):
        return dt.datetime(*args, tzinfo=tz)

    return make


@pytest.fixture
def calendar_2026(db):
    seed_calendar([2026])


@pytest.fixture(scope="module")
def jizhou_city(django_db_setup, django_db_blocker):
    """A tiny Jizhou city committed once per module (use with ``db``)."""
    with django_db_blocker.unblock():
        do_load_preset("jizhou")
        yield CityGenerator("tiny", 1).run()
        call_command("flush", interactive=False, verbosity=0)
