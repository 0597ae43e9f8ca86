"""Crash safety: SIGKILL the web server and the worker while a retrying client files
cases and acts on them, and awards and spends credit points; nothing acknowledged is lost,
nothing is stored twice, every balance matches its ledger, every notification reaches the
inbox once (see tests/crash/harness.py; the long run is
``python -m tests.crash.harness --db sqlite|postgres --kills N --seconds S``)."""

from tests.conftest import needs_postgres, once
from tests.crash.harness import run

KILLS = 5
SECONDS = 10  # at least; the run lasts until the kills are done


def _assert_survived(report):
    print(report.text())
    assert report.server_kills >= KILLS
    assert report.worker_kills >= 2
    assert report.acknowledged > 0 and report.actions_acknowledged > 0
    assert report.lost == 0 and report.duplicated == 0, report.problems
    assert report.persisted == report.acknowledged, report.problems
    assert report.actions_lost == 0 and report.actions_duplicated == 0, report.problems
    assert report.actions_persisted == report.actions_acknowledged, report.problems
    assert report.timeline_gaps == 0, report.problems
    assert report.outbox_undelivered == 0, report.problems
    assert report.outbox_without_message == 0 and report.inbox_duplicated == 0
    assert report.inbox_orphans == 0
    assert report.awards_acknowledged > 0 and report.redemptions_acknowledged > 0
    assert report.awards_persisted == report.awards_acknowledged, report.problems
    assert report.redemptions_persisted == report.redemptions_acknowledged, report.problems
    assert report.awards_duplicated == 0 and report.redemptions_duplicated == 0, report.problems
    assert report.ledger_mismatches == 0, report.problems
    assert report.server_errors == 0, report.unexpected
    assert report.unexpected == [], report.unexpected


@once
def test_nothing_acknowledged_is_lost_or_duplicated_when_killed_on_sqlite():
    _assert_survived(run("sqlite", kills=KILLS, seconds=SECONDS))


@needs_postgres
def test_nothing_acknowledged_is_lost_or_duplicated_when_killed_on_postgres():
    _assert_survived(run("postgres", kills=KILLS, seconds=SECONDS))
