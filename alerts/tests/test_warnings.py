"""The daily early warning: the reverse comparison on a generated month (the issue's Done
means), hotspots' reason, repeats, about to turn red, an idempotent rerun, the workflow
and scoping."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from alerts.models import Warning, WarningEvent, WarningStatus
from alerts.tests.factories import at, case, seed_month
from alerts.warnings.hotspots import hotspots
from alerts.warnings.job import keep_signals, run_days
from alerts.warnings.queries import warnings_under
from alerts.warnings.repeats import repeats
from alerts.warnings.reverse import blind_spots, patrol_quality, quality_by_child
from alerts.warnings.turning_red import turning_red
from alerts.warnings.workflow import do_warning_action
from catalog.models import MatterCategory
from gridgov.early_warning import Signal
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import OrgNode, User

pytestmark = pytest.mark.django_db
FIRST = dt.date(2025, 3, 3)  # a Monday, far from the generated city's own cases
DAYS = 28


def _grids():
    return list(OrgNode.objects.exclude(grid_kind="").order_by("code")[:6])


def _categories(n=3):
    found, groups = [], set()
    for category in MatterCategory.objects.order_by("code"):
        if category.group not in groups:
            groups.add(category.group)
            found.append(category)
        if len(found) == n:
            return found
    raise AssertionError("the catalogue has fewer groups than the test needs")


def _days(first=FIRST, days=DAYS):
    return [first + dt.timedelta(days=i) for i in range(days)]


def _subject(grid_code, group):
    return f"grid={grid_code};group={group}"


def test_the_reverse_comparison_flags_exactly_the_seeded_blind_spots(city):
    seeded = seed_month(_grids(), _categories(), FIRST, days=DAYS)
    assert len(seeded) > 5
    found = set()
    for day in _days():
        for signal in blind_spots(day):
            grid, group = (part.split("=", 1)[1] for part in signal.subject.split(";"))
            found.add((dt.date.fromisoformat(signal.figures["day"]), grid, group))
    assert found == seeded

    summary = run_days(FIRST, FIRST + dt.timedelta(days=DAYS - 1))
    assert not summary.failed
    flagged = set(
        Warning.objects.filter(kind="alerts.blind_spot").values_list("subject", flat=True)
    )
    assert flagged == {_subject(grid, group) for _, grid, group in seeded}
    spot = Warning.objects.filter(kind="alerts.blind_spot").order_by("pk").first()
    assert spot.owner is not None and "热线反映" in spot.reason and spot.evidence_url

    # Rerunning the month (a catch-up, a second worker) creates nothing.
    warnings, events = Warning.objects.count(), WarningEvent.objects.count()
    again = run_days(FIRST, FIRST + dt.timedelta(days=DAYS - 1))
    assert again.created == 0 and again.updated == summary.signals - summary.skipped
    assert (Warning.objects.count(), WarningEvent.objects.count()) == (warnings, events)

    # The week's patrol quality: the blind cells' hotline cases are not covered.
    grid = _grids()[1]
    rows = {row["grid_code"]: row for row in patrol_quality(grid.parent.code, FIRST)}
    row = rows[grid.code]
    assert row["hotline"] >= 2 and row["score"] == round(100 * row["covered"] / row["hotline"])
    assert 0 < row["score"] < 100
    # Above the community the page sums by child (a leader's phone: no card per grid).
    assert quality_by_child(grid.parent, FIRST)[0] is False
    by_child, children = quality_by_child(grid.parent.parent, FIRST)
    mine = next(r for r in children if r["code"] == grid.parent.code)
    assert by_child and mine["hotline"] == sum(rows[code]["hotline"] for code in rows)


def test_a_hotspot_says_why(city):
    grid, category = _grids()[0], _categories(1)[0]
    day = dt.date(2025, 6, 30)
    rows = [
        case(grid, category, "qr_code", at(day - dt.timedelta(days=10 + 7 * week), 10))
        for week in range(8)
    ]  # one a week for the 8 weeks before
    rows += [case(grid, category, "qr_code", at(day - dt.timedelta(days=d), 11)) for d in range(6)]
    from cases.models import Case

    Case.objects.bulk_create(rows)
    (signal,) = hotspots(day)
    assert signal.subject == _subject(grid.code, category.group)
    assert signal.reason.startswith("近7天 6 件，前8周平均每周 1.0 件")
    assert signal.figures["recent"] == 6 and signal.figures["baseline_weekly"] == 1.0
    assert list(hotspots(day - dt.timedelta(days=20))) == []


def test_repeats_compare_normalised_phones_and_addresses_and_mask_them(city):
    from cases.models import Case

    grid, category = _grids()[2], _categories(1)[0]
    day = dt.date(2025, 8, 20)
    phones = ["+86 138-0013-8000", "13800138000", "１３８００１３８０００"]
    addresses = ["文山路 3 号，2栋", "文山路3号2栋", "文山路3号 2 栋"]
    Case.objects.bulk_create(
        [
            case(grid, category, "qr_code", at(day - dt.timedelta(days=d * 10), 9), **fields)
            for d, fields in enumerate(
                {"reporter_phone": p, "address": a} for p, a in zip(phones, addresses, strict=True)
            )
        ]
    )
    signals = {s.figures["by"]: s for s in repeats(day)}
    assert set(signals) == {"phone", "address"}
    phone = signals["phone"]
    assert "138****8000" in phone.title and "13800138000" not in phone.title + phone.reason
    assert "13800138000" not in phone.subject and phone.figures["count"] == 3
    assert "文山路" in signals["address"].title and "2栋" not in signals["address"].title
    # What tells repeats apart: the grid, the first and last day, the count.
    assert grid.name in phone.title and "3 次" in phone.title
    assert f"{day - dt.timedelta(days=20):%m-%d}至{day:%m-%d}" in phone.title
    assert list(repeats(day + dt.timedelta(days=1))) == []  # no new complaint that day


@pytest.mark.parametrize("rule", [repeats, hotspots], ids=["repeats", "hotspots"])
def test_a_run_reads_each_day_once_and_agrees_with_single_days(city, rule):
    """A catch-up keeps the days of a sliding window it has read (``one_run``): its signals
    are the ones each day gives on its own, one window read a day."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Case
    from gridgov.early_warning import one_run

    grid, category = _grids()[3], _categories(1)[0]
    first = dt.date(2025, 9, 1)
    Case.objects.bulk_create(
        [
            case(grid, category, "hotline", at(first + dt.timedelta(days=d), 10), reporter_phone=p)
            for d in range(0, 40, 3)
            for p in ("13900139000", "13700137000")
        ]
    )
    days = [first + dt.timedelta(days=d) for d in range(45)]

    def signals(day):
        return sorted((s.subject, s.reason, s.evidence_url) for s in rule(day))

    alone = [signals(day) for day in days]
    with CaptureQueriesContext(connection) as queries, one_run():
        together = [signals(day) for day in days]
    assert together == alone and sum(map(len, alone)) >= 5
    window_reads = [q for q in queries if "merged_into" in q["sql"]]
    assert len(window_reads) == len(days)  # the first reads the window, the others their day


def test_cases_about_to_turn_red_the_next_working_day(city):
    from cases.models import Case

    grid, category = _grids()[3], _categories(1)[0]
    friday = dt.date(2025, 9, 5)
    monday_evening = at(friday + dt.timedelta(days=3), 18)
    soon = case(grid, category, "qr_code", at(friday, 9), due_at=monday_evening)
    later = case(
        grid, category, "qr_code", at(friday, 9), due_at=monday_evening + dt.timedelta(days=2)
    )
    Case.objects.bulk_create([soon, later])
    subjects = {s.subject for s in turning_red(friday)}
    assert subjects == {f"case={soon.number}"}


def _signal(grid, subject="grid=x;group=y", **extra):
    return Signal(
        kind="alerts.blind_spot",
        subject=subject,
        node_code=grid.code,
        **{"title": "巡查盲区：测试", "reason": "测试", **extra},
    )


def test_a_warning_is_acknowledged_then_dealt_with_on_its_timeline(city):
    worker = User.objects.get(username="demo-grid")
    grid = worker.assignments.get().node
    day = dt.date(2025, 10, 9)
    keep_signals([_signal(grid)], day, at=at(day, 23), notify_owners=True)
    warning = Warning.objects.get(subject="grid=x;group=y")
    # A later day's different figures: an 「更新」 row, once however often it is rerun.
    for _ in range(2):
        keep_signals([_signal(grid, reason="测试 2 次")], day, at=at(day, 23), notify_owners=False)
    resident = User.objects.get(username="demo-resident")
    with pytest.raises(NotPermitted):
        do_warning_action(warning.pk, "acknowledge", actor=resident, version=1)
    do_warning_action(warning.pk, "acknowledge", actor=worker, version=1)
    with pytest.raises(StaleVersion):
        do_warning_action(warning.pk, "deal", actor=worker, version=1, data={"note": "已巡查"})
    with pytest.raises(InvalidInput):
        do_warning_action(warning.pk, "deal", actor=worker, version=2, data={"note": " "})
    dealt_at = at(day + dt.timedelta(days=1), 10)
    do_warning_action(
        warning.pk, "deal", actor=worker, version=2, data={"note": "已补巡查"}, at=dealt_at
    )
    warning.refresh_from_db()
    assert (warning.status, warning.dealt_note, warning.version) == ("dealt", "已补巡查", 3)
    assert list(warning.events.order_by("pk").values_list("action", flat=True)) == [
        "open",
        "update",
        "acknowledge",
        "deal",
    ]
    with pytest.raises(Conflict):
        do_warning_action(warning.pk, "deal", actor=worker, version=3, data={"note": "再次"})

    # The same day again: known when it was dealt with, nothing new. A day after it was
    # dealt with: a new one.
    assert keep_signals([_signal(grid)], day, at=at(day, 23), notify_owners=False).created == 0
    later = keep_signals(
        [_signal(grid)], day + dt.timedelta(days=30), at=at(day, 23), notify_owners=False
    )
    assert later.created == 1
    assert Warning.objects.filter(subject="grid=x;group=y", status=WarningStatus.OPEN).count() == 1


def test_a_grid_worker_sees_their_grid_and_the_nodes_above_see_it_too(city):
    worker = User.objects.get(username="demo-grid")
    grid = worker.assignments.get().node
    other = OrgNode.objects.exclude(grid_kind="").exclude(pk=grid.pk).order_by("code").first()
    day = dt.date(2025, 10, 20)
    keep_signals(
        [_signal(grid, "grid=a;group=b"), _signal(other, "grid=c;group=d")],
        day,
        at=at(day, 23),
        notify_owners=False,
    )
    mine = set(Warning.objects.restrict(worker).values_list("subject", flat=True))
    assert mine == {"grid=a;group=b"}
    # The dashboards' watch list: the time a row shows is when it was found, not a deadline.
    from alerts.warnings.panels import watch_rows

    assert [row["when_label"] for row in watch_rows(grid.code, 10)] == ["发现"]
    for username in ("demo-community", "demo-street", "demo-leader"):
        above = User.objects.get(username=username)
        node = above.assignments.get().node
        seen = set(warnings_under(above, node).values_list("subject", flat=True))
        assert "grid=a;group=b" in seen, username
        if other.code.startswith(node.code):
            assert "grid=c;group=d" in seen
        else:
            assert "grid=c;group=d" not in seen
    volunteer = User.objects.get(username="demo-volunteer")
    warning = Warning.objects.get(subject="grid=a;group=b")
    with pytest.raises(NotPermitted):
        do_warning_action(warning.pk, "acknowledge", actor=volunteer, version=1)
    # The pages need alerts.handle or analytics.view at the node: a resident gets 403.
    from django.test import Client

    resident = Client()
    resident.force_login(User.objects.get(username="demo-resident"))
    assert resident.get("/warnings/").status_code == 403
    assert resident.get(f"/warnings/{warning.pk}/").status_code in (403, 404)
    leader = Client()
    leader.force_login(User.objects.get(username="demo-leader"))
    bad = leader.get("/warnings/?day=2026-99-99")
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()
    assert leader.get("/warnings/?status=zzz").status_code == 400
    page = leader.get("/warnings/").content.decode()
    assert "data-child=" in page and "data-grid=" not in page  # rows by child, not by grid


def test_a_failing_rule_loses_only_its_own_day(city):
    from alerts.warnings.job import run_day
    from gridgov.early_warning import _RULES, register_rule

    grid = _grids()[4]

    def broken(day):
        raise RuntimeError("boom")

    def fine(day):
        return [_signal(grid, f"grid={grid.code};group=fine")]

    register_rule("test.broken", "坏规则", broken, order=1)
    register_rule("test.fine", "好规则", fine, order=2)
    try:
        summary = run_day(dt.date(2025, 12, 1), only={"test.broken", "test.fine"})
    finally:
        _RULES.pop("test.broken")
        _RULES.pop("test.fine")
    assert [key for _, key, _ in summary.failed] == ["test.broken"]
    assert summary.created == 1


def test_a_standing_condition_that_no_longer_holds_is_closed_by_the_job(city):
    """A rule that ``clears`` (about to turn red, care overdue): a warning its latest day
    no longer signals is closed, on its timeline; a rerun of an older day closes nothing
    seen later, and an event rule's warnings stay until someone deals with them."""
    from alerts.warnings.job import run_day
    from gridgov.early_warning import _RULES, register_rule

    grid = _grids()[5]
    standing = {dt.date(2025, 12, 1): ["a", "b"], dt.date(2025, 12, 2): ["b"]}

    def signals(kind):
        def rule(day):
            return [
                Signal(kind=kind, subject=s, node_code=grid.code, title=f"测试 {s}", reason="测试")
                for s in standing.get(day, [])
            ]

        return rule

    register_rule("test.standing", "状态", signals("test.standing"), clears=True)
    register_rule("test.event", "事件", signals("test.event"))
    try:
        for day in standing:
            run_day(day, only={"test.standing", "test.event"})
        run_day(dt.date(2025, 12, 1), only={"test.standing"})  # a rerun of the first day
    finally:
        _RULES.pop("test.standing")
        _RULES.pop("test.event")
    status = dict(Warning.objects.filter(kind="test.standing").values_list("subject", "status"))
    assert status == {"a": WarningStatus.DEALT, "b": WarningStatus.OPEN}
    cleared = Warning.objects.get(kind="test.standing", subject="a")
    assert [e.action for e in cleared.events.order_by("pk")] == ["open", "clear"]
    assert "12月02日研判时已不再满足条件" in cleared.dealt_note
    assert set(Warning.objects.filter(kind="test.event").values_list("status", flat=True)) == {
        WarningStatus.OPEN
    }


def test_the_command_and_the_morning_task_run_the_job(city, monkeypatch):
    from django.core.management import CommandError, call_command

    from alerts import tasks

    grid, category = _grids()[5], _categories(1)[0]
    from cases.models import Case

    day = dt.date(2025, 12, 10)
    Case.objects.bulk_create([case(grid, category, "hotline_12345", at(day, 10))])
    call_command("run_early_warning", "--day", day.isoformat(), stdout=open(os.devnull, "w"))
    subject = _subject(grid.code, category.group)
    assert Warning.objects.filter(kind="alerts.blind_spot", subject=subject).count() == 1
    with pytest.raises(CommandError, match="不能早于"):
        call_command("run_early_warning", "--from", "2025-12-10", "--to", "2025-12-01")
    # Today has not ended: its alarms a minute old are not unanswered yet.
    with pytest.raises(CommandError, match="还没有结束"):
        call_command("run_early_warning", "--day", timezone.localdate().isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_early_warning", "--day", "2026-13-01")
    with pytest.raises(CommandError, match="nosuch"):
        call_command("run_early_warning", "--rule", "nosuch")

    # 05:30 the next morning: the task runs the day before, and creates nothing twice.
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: day + dt.timedelta(days=1))
    tasks.run_daily_early_warning.call_local()
    assert Warning.objects.filter(kind="alerts.blind_spot", subject=subject).count() == 1
    assert Warning.objects.get(subject=subject).last_seen == day
