"""Two clients act on the same case at the same moment: exactly one wins, the other gets
409 stale_version, and the timeline holds one event per success.

Over real HTTP. The live server of the tests runs each request in its own thread with
its own database connection, except on an in-memory SQLite database, where Django hands
every thread the one shared connection (so two requests would share one transaction);
the race also runs against gunicorn (2 worker processes, as in production; on a SQLite
file, and on a fresh PostgreSQL database when DATABASE_URL is PostgreSQL), started by the
crash harness's machinery.
"""

import random
import threading
import uuid

import pytest
from django.db import connection

from cases.models import Case, CaseEvent
from tests.conftest import ON_POSTGRES, ON_SQLITE, Http

ROUNDS = 20
# Pairs of actions racing on a fresh case at version 1 (both valid there).
PAIRS = [("accept", "accept"), ("accept", "reject"), ("handle", "claim"), ("urge", "accept")]


def _body(action, version):
    body = {"version": version}
    if action == "reject":
        body["reason"] = "不属于受理范围"
    return body


def _race(clients, case_id, actions, version):
    """Both clients post at once (released by one barrier); returns [(status, body)]."""
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def go(index):
        path = f"/api/v1/cases/{case_id}/actions/{actions[index]}/"
        barrier.wait()
        answers[index] = clients[index].post(
            path,
            _body(actions[index], version),
            headers={"Idempotency-Key": f"race-{uuid.uuid4().hex}"},
        )

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _check_round(answers, actions, case_before, case_after, events):
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200, 409], answers
    winner = next(i for i, (status, _) in enumerate(answers) if status == 200)
    loser_body = answers[1 - winner][1]
    assert loser_body["code"] == "stale_version", loser_body
    assert case_after["version"] == case_before["version"] + 1
    assert answers[winner][1]["version"] == case_after["version"]
    assert [e["action"] for e in events] == [actions[winner]], events


def _run_rounds(filer, actors, *, load_case, load_events):
    rng = random.Random(5)
    for _ in range(ROUNDS):
        status, created = filer.post(
            "/api/v1/cases/", {"title": "路灯不亮", "channel": "grid_report"}
        )
        assert status == 201, created
        actions = list(rng.choice(PAIRS))
        rng.shuffle(actions)
        answers = _race(actors, created["id"], actions, created["version"])
        _check_round(
            answers,
            actions,
            created,
            load_case(created["id"]),
            load_events(created["id"]),
        )


def _in_memory_sqlite():
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def test_one_of_two_simultaneous_actions_wins_and_the_other_gets_409(live_city):
    if _in_memory_sqlite():
        pytest.skip("the live server shares one connection with the test (in-memory SQLite)")
    http = Http(live_city)
    filer = http.login("demo-grid")
    actors = [http.login("demo-community"), http.login("demo-street")]

    def load_case(pk):
        return {"version": Case.objects.get(pk=pk).version}

    def load_events(pk):
        return list(CaseEvent.objects.filter(case_id=pk).exclude(action="submit").values("action"))

    _run_rounds(filer, actors, load_case=load_case, load_events=load_events)


@pytest.mark.parametrize("db", [ON_SQLITE, ON_POSTGRES])
def test_one_of_two_simultaneous_actions_wins_across_two_gunicorn_processes(db):
    """The two requests land on gunicorn's two worker processes, each with its own
    connection: the database's locking, not a lock in one process, decides."""
    from tests.servers import served

    with served(db) as base_url:
        http = Http(base_url)
        filer = http.login("demo-grid")
        actors = [http.login("demo-community"), http.login("demo-street")]

        def load_case(pk):
            status, body = filer.get(f"/api/v1/cases/{pk}/")
            assert status == 200, body
            return body

        def load_events(pk):
            return [e for e in load_case(pk)["timeline"] if e["action"] != "submit"]

        _run_rounds(filer, actors, load_case=load_case, load_events=load_events)
