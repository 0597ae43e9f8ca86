"""The generated month of cases: every status, light, channel and tier, real timelines,
work for every demo account, and the same month from the same seed."""

from io import StringIO

import pytest
from django.core.management import call_command

from cases.config import case_settings
from cases.models import OPEN_STATUSES, Case, CaseEvent, Light, Status
from catalog.models import Tier
from simulate.casegen import demo_work, summarize
from tests.conftest import build_city

NOW = "2026-11-20T18:00:00+08:00"
EVERY_STATUS = set(Status.values)
EVERY_LIGHT = set(Light.values)


def make_cases(*flags, **options):
    out = StringIO()
    options = {"days": 30, "per_day": 6, "seed": 1, "now": NOW, **options}
    args = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    call_command("make_cases", *args, *flags, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def month(django_db_setup, django_db_blocker):
    """A tiny Jizhou city with a generated month of cases, committed once per module."""
    with django_db_blocker.unblock():
        build_city()
        output = make_cases()
        yield output
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_month_has_every_status_light_channel_and_tier(month):
    summary = summarize()
    assert set(summary["status"]) == EVERY_STATUS
    assert set(summary["open_light"]) == EVERY_LIGHT
    channels = {*case_settings()["channels"], "qr_code", "grid_report"}
    assert set(summary["channel"]) == channels
    assert set(summary["tier"]) == set(Tier.objects.values_list("code", flat=True))
    # Overdue cases are left open and red after the final sweep.
    assert summary["open_red"] >= 1
    assert (
        not Case.objects.filter(status__in=OPEN_STATUSES, due_at__lte=NOW)
        .exclude(light=Light.RED)
        .exists()
    )


@pytest.mark.django_db
def test_the_month_shows_every_part_of_the_loop(month):
    summary = summarize()
    for key in (
        "whistles",
        "reported_in",
        "late_report_ins",
        "extensions_requested",
        "extensions_approved",
        "escalations",
        "returns",
        "urges",
        "supervisions",
        "reopened",
        "merged",
        "published",
    ):
        assert summary[key] >= 1, key
    ratings = summary["satisfaction"]
    assert ratings.get("satisfied", 0) / sum(ratings.values()) >= 0.9
    assert CaseEvent.objects.filter(action="light").exists()
    assert Case.objects.exclude(possible_duplicate_of=None).exists()


@pytest.mark.django_db
def test_every_demo_account_has_work(month):
    work = demo_work()
    assert work["demo-grid"] >= 1
    assert work["demo-community"] >= 10
    assert work["demo-dept pending dispatches"] >= 1
    assert work["demo-dept pending whistles"] >= 1
    assert work["demo-resident"] >= 1
    assert work["demo-leader red"] >= 1
    resident_cases = Case.objects.filter(reporter_user__username="demo-resident")
    assert set(resident_cases.values_list("channel", flat=True)) == {"qr_code"}


@pytest.mark.django_db
def test_every_timeline_is_consistent(month):
    cases = Case.objects.prefetch_related("events").order_by("pk")
    assert cases.exists()
    for case in cases:
        events = list(case.events.all())  # ordered by (at, pk)
        assert [e.pk for e in events] == sorted(e.pk for e in events), case.number
        assert events[0].action == "submit" and events[0].at == case.created_at
        status = ""
        for event in events:
            assert event.from_status == status, (case.number, event.action)
            status = event.to_status
        assert status == case.status, case.number
        actions = [e for e in events if e.action not in ("submit", "light")]
        assert case.version == 1 + len(actions), case.number
        assert all(e.at <= events[-1].at for e in events)
        assert all(e.actor_id for e in actions), case.number
    # Every case lies in its grid and carries a reporter or a filer.
    for case in Case.objects.select_related("grid"):
        ring = case.grid.geometry["coordinates"][0]
        xs, ys = [c[0] for c in ring], [c[1] for c in ring]
        assert min(xs) <= case.lng <= max(xs) and min(ys) <= case.lat <= max(ys)
        assert case.title and case.description


@pytest.mark.django_db
def test_if_empty_does_nothing_the_second_time(month):
    before = Case.objects.count()
    output = make_cases("--if-empty")
    assert "跳过" in output
    assert Case.objects.count() == before


def _snapshot():
    return list(Case.objects.order_by("number").values_list("number", "title", "status", "light"))


def _reset():
    call_command("flush", interactive=False, verbosity=0)


# Kept last: it flushes the database, and the module's month with it.
@pytest.mark.django_db(transaction=True)
def test_the_same_seed_and_now_give_the_same_month():
    _reset()
    build_city()
    make_cases(days=10, per_day=5, seed=3)
    first = _snapshot()
    assert len(first) > 20
    _reset()
    build_city()
    make_cases(days=10, per_day=5, seed=3)
    assert _snapshot() == first
    _reset()
    build_city()
    make_cases(days=10, per_day=5, seed=4)
    assert _snapshot() != first
