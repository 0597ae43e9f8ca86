"""Bad input for the REST API: schemathesis generates requests for every operation of
/api/v1/schema/ and sends them to the Django WSGI application in this process, anonymously
and as each demo role (tests/conftest.py: DEMO_USERS), with a bearer token of that role.
Every answer must be below 500 and, where the schema documents its status, conform to it.

Two of schemathesis's phases run on every operation:
- **coverage**: a deterministic walk of each parameter's and body field's boundaries and
  types (missing and extra fields, the limits of every range, wrong types, empty values),
  in positive and negative mode, as anonymous, demo-resident and demo-admin;
- **fuzzing**: hypothesis's random requests, positive and negative, FUZZ_EXAMPLES of them
  per operation and client, as every client (more for demo-admin, who reaches every
  endpoint's validation).

Nothing is excluded: the schema lists every operation of /api/v1/ except the schema itself
(SERVE_INCLUDE_SCHEMA is off) and the Swagger UI at /api/v1/docs/, an HTML page.

About half of the requests to an operation with an ``id`` or ``code`` in its path are
pointed at an object that exists (a case, a resident, a node, a household, an incentive
rule) and, for case actions, carry the case's current version, so that the generated data
reaches the validation and the actions behind the 404. The choice is a hash of the
generated request, so CI replays exactly what was run here, on both databases.

Each test runs inside the usual rolled-back transaction (``db``) over the module's tiny
city (``city``); the counts of requests sent are written at the end of the module."""

import collections
import contextlib
import os
import random

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.tokens import do_issue_token
from cases.actions import Report, do_create_case
from cases.models import Case
from credit.models import IncentiveRule
from gridgov.wsgi import application
from org.models import Household, User
from patrol.patrols import do_start_patrol
from residents.models import Resident
from tests.conftest import DEMO_USERS

# Fuzzing examples per operation and client (FUZZ_EXAMPLES changes it, for a longer hunt);
# demo-admin, who gets past every scope check, gets ADMIN_FACTOR times as many.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ADMIN_FACTOR = 3
CHECKS = [not_a_server_error, response_schema_conformance]
SENT = collections.Counter()


@contextlib.contextmanager
def connection_kept():
    """Requests served in this thread share the test's connection (and its transaction), so
    it must not be closed at their end, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema(phases: list[str]):
    """The schema, loaded when the module is collected (its view needs no database), for
    ``phases``: the schema's examples are few, and stateful runs need links."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    loaded.config.phases.update(phases=phases)
    return loaded


# The coverage walk is the same requests whoever sends them, and five in six of all sent:
# it runs for the clients whose answers differ most (no one, a resident, the admin who
# reaches every validation); the staff roles in between get the random requests only.
every_phase = _schema(["coverage", "fuzzing"])
fuzzing_only = _schema(["fuzzing"])
STAFF = [u for u in DEMO_USERS if u not in ("demo-admin", "demo-resident")]


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if SENT and capture is not None:
        counts = ", ".join(f"{who} {phase} {n}" for (who, phase), n in sorted(SENT.items()))
        with capture.global_and_fixture_disabled():
            print(f"\nREST API fuzzing: {sum(SENT.values())} requests ({counts})")


@pytest.fixture
def in_process(db, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where a generated photo that happens to be valid goes
    with connection_kept():
        yield


@pytest.fixture
def existing(in_process):
    """Objects that exist, by the path prefix of the operations that name them."""
    grid_worker = User.objects.get(username="demo-grid")
    grid = grid_worker.assignments.get().node
    for title in ("路灯不亮", "井盖缺失", "垃圾满溢"):
        do_create_case(
            Report(title=title, channel="grid_report", grid_code=grid.code), actor=grid_worker
        )
    households = Household.objects.filter(grid=grid).order_by("code")
    patrol = do_start_patrol(actor=grid_worker)
    return {
        "/api/v1/patrol/patrols/": [patrol.pk],
        "/api/v1/cases/": list(Case.objects.values_list("pk", flat=True)),
        "/api/v1/residents/": list(
            Resident.objects.filter(household__in=households).values_list("pk", flat=True)[:20]
        ),
        "/api/v1/org/nodes/": [node.code for node in (grid, grid.parent, grid.parent.parent)],
        "/api/v1/org/households/": list(households.values_list("code", flat=True)[:20]),
        "/api/v1/credit/rules/": list(IncentiveRule.objects.values_list("pk", flat=True)),
    }


@pytest.fixture
def headers(in_process):
    """The headers of each client, with a token made once per test."""
    tokens = {}

    def of(who: str) -> dict:
        if who == "anonymous":
            return {}
        if who not in tokens:
            tokens[who], _ = do_issue_token(User.objects.get(username=who))
        return {"Authorization": f"Bearer {tokens[who]}"}

    return of


def point_at_existing(case, existing) -> None:
    """Half the time, an existing object instead of the generated id or code."""
    params = case.path_parameters or {}
    chooser = random.Random(f"{case.operation.label} {params!r} {case.body!r}")
    prefix = next((p for p in existing if case.operation.path.startswith(p)), None)
    if prefix is None or not existing[prefix]:
        return
    for name in ("id", "code"):
        if name in params and chooser.random() < 0.5:
            params[name] = chooser.choice(existing[prefix])
            if (
                prefix == "/api/v1/cases/"
                and isinstance(case.body, dict)
                and chooser.random() < 0.5
            ):
                case.body["version"] = Case.objects.get(pk=params[name]).version


def check(case, who, existing, headers) -> None:
    point_at_existing(case, existing)
    SENT[(who, case.meta.phase.name if case.meta else "?")] += 1
    case.call_and_validate(headers=headers(who), checks=CHECKS)


FUZZ = {
    # A fixed walk: CI replays exactly what was run here, on both databases.
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


@pytest.mark.parametrize("who", ["anonymous", "demo-resident"])
@every_phase.parametrize()
@settings(max_examples=EXAMPLES, **FUZZ)
def test_requests_never_fail_the_server_or_the_schema(case, who, existing, headers):
    check(case, who, existing, headers)


@pytest.mark.parametrize("who", STAFF)
@fuzzing_only.parametrize()
@settings(max_examples=EXAMPLES, **FUZZ)
def test_staff_requests_never_fail_the_server_or_the_schema(case, who, existing, headers):
    check(case, who, existing, headers)


# Parametrized like the others, so that each operation is a test of its own (which
# pytest-xdist spreads over its workers) rather than one test walking all of them.
@pytest.mark.parametrize("who", ["demo-admin"])
@every_phase.parametrize()
@settings(max_examples=EXAMPLES * ADMIN_FACTOR, **FUZZ)
def test_admin_requests_never_fail_the_server_or_the_schema(case, who, existing, headers):
    check(case, who, existing, headers)
