"""Bad input for the REST API: schemathesis generates requests for every operation of
/api/v1/schema/ (valid ones and, in negative mode, ones that break the schema) and sends
them to the Django WSGI application in this process, once with a staff member's bearer
token and once without any. Every answer must be below 500 and, where the schema
documents its status, conform to the schema.

Nothing is excluded: the schema lists every operation of /api/v1/ except the schema
itself (SERVE_INCLUDE_SCHEMA is off) and the Swagger UI at /api/v1/docs/, which is an
HTML page, not an API operation.

About half of the staff requests to an operation with an ``id`` or ``code`` in its path
are pointed at an object that exists (a case, a resident, a node, a household) and,
for case actions, carry the case's current version, so that the generated data reaches
the validation and the actions behind the 404.

Each test runs inside the usual rolled-back transaction (``db``) over the module's tiny
city (``city``); the counts of requests sent are written at the end of the module."""

import collections
import contextlib
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from cases.actions import Report, do_create_case
from cases.models import Case
from gridgov.wsgi import application
from org.models import Household, OrgNode, User
from residents.models import Resident

# Per operation and per client: 16 operations x 2 clients x 60 = 1920 requests
# (FUZZ_EXAMPLES changes it, for a longer hunt).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
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


# Loaded when the module is collected: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if SENT and capture is not None:
        counts = ", ".join(f"{who} {n}" for who, n in sorted(SENT.items()))
        with capture.global_and_fixture_disabled():
            print(f"\nREST API fuzzing: {sum(SENT.values())} requests ({counts})")


@pytest.fixture
def in_process(db, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where a generated photo that happens to be valid goes
    with connection_kept():
        yield


@pytest.fixture
def existing(in_process):
    """Objects that exist, by the path parameter that names them."""
    grid_worker = User.objects.get(username="demo-grid")
    grid = grid_worker.assignments.get().node
    for title in ("路灯不亮", "井盖缺失", "垃圾满溢"):
        do_create_case(
            Report(title=title, channel="grid_report", grid_code=grid.code), actor=grid_worker
        )
    return {
        "cases": list(Case.objects.values_list("pk", flat=True)),
        "residents": list(Resident.objects.values_list("pk", flat=True)[:20]),
        "nodes": list(OrgNode.objects.values_list("code", flat=True)[:20]),
        "households": list(Household.objects.values_list("code", flat=True)[:20]),
    }


@pytest.fixture
def staff(in_process) -> dict:
    """The headers of demo-admin, who may act on everything."""
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="demo-admin"))
    return {"Authorization": f"Bearer {token.key}"}


def point_at_existing(case, data, existing) -> None:
    section = case.operation.path.split("/")[3]  # /api/v1/<section>/...
    params = case.path_parameters or {}
    for name in ("id", "code"):
        if name in params and section in existing and data.draw(st.booleans()):
            params[name] = data.draw(st.sampled_from(existing[section]))
            if section == "cases" and isinstance(case.body, dict) and data.draw(st.booleans()):
                case.body["version"] = Case.objects.get(pk=params[name]).version


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    # A fixed walk: CI replays exactly what was run here, on both databases.
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_staff_requests_never_fail_the_server_or_the_schema(case, data, existing, staff):
    point_at_existing(case, data, existing)
    SENT["staff"] += 1
    case.call_and_validate(headers=staff, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    # A fixed walk: CI replays exactly what was run here, on both databases.
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_anonymous_requests_never_fail_the_server_or_the_schema(case, in_process):
    SENT["anonymous"] += 1
    case.call_and_validate(checks=CHECKS)
