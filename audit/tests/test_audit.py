"""The audit log: every write and every login, append-only, exported, kept six months."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.admin import AuditLogAdmin
from audit.models import AuditLog, Outcome

PASSWORD = "a-long-test-password-9"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("auditee", password=PASSWORD)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("auditor", password=PASSWORD)


def last():
    return AuditLog.objects.order_by("-pk").first()


def test_every_response_carries_a_request_id(db):
    client = Client()
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert not AuditLog.objects.exists()  # reads are not audited


def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(db):
    client = Client()
    assert client.get("/login/", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == (
        "proxy-1234abcd"
    )
    assert client.get("/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_a_token_issued_is_recorded_with_its_owner(user):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "auditee", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    row = last()
    assert (row.action, row.outcome, row.actor_id) == ("api:token", Outcome.SUCCESS, user.pk)
    assert row.actor_username == "auditee" and row.method == "POST"
    assert row.path == "/api/v1/auth/token" and row.status_code == 200
    assert row.request_id == response["X-Request-ID"] and row.ip == "127.0.0.1"
    assert AuditLog.objects.count() == 1


def test_a_refused_token_is_recorded_as_a_denied_login(user):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "auditee", "password": "wrong"},
        content_type="application/json",
    )
    assert response.status_code == 401
    row = last()
    assert (row.action, row.outcome, row.actor_id) == ("login_failed", Outcome.DENIED, None)
    assert row.actor_username == "auditee" and row.status_code == 401
    assert AuditLog.objects.count() == 1


def test_page_login_failure_and_logout_are_recorded(user):
    client = Client()
    client.post("/login/", {"username": "auditee", "password": "wrong"})
    assert (last().action, last().outcome, last().actor_username) == (
        "login_failed",
        Outcome.DENIED,
        "auditee",
    )
    client.post("/login/", {"username": "auditee", "password": PASSWORD})
    assert (last().action, last().outcome, last().actor_id) == ("login", "success", user.pk)
    client.post("/logout/")
    assert (last().action, last().actor_id) == ("logout", user.pk)
    assert AuditLog.objects.count() == 3


def test_a_login_outside_a_request_is_recorded_too(user):
    Client().force_login(user)
    assert (last().action, last().actor_id, last().method) == ("login", user.pk, "")


def test_a_write_costs_one_insert(db):
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/open311/v2/nothing.json")
    assert response.status_code == 404
    inserts = [q for q in queries.captured_queries if "audit_auditlog" in q["sql"]]
    assert len(inserts) == 1 and inserts[0]["sql"].startswith("INSERT")
    assert last().outcome == Outcome.DENIED


def test_a_denied_write_is_recorded_with_the_user(user):
    client = Client()
    client.force_login(user)
    response = client.post("/cases/999999/actions/urge/")
    assert response.status_code == 404
    row = last()
    assert (row.actor_id, row.outcome, row.object_id) == (user.pk, Outcome.DENIED, "999999")
    assert row.action == "cases:act:urge"


def test_a_tracking_token_in_a_path_is_not_written_to_the_log(db):
    Client().post("/t/secret-token-123/rate/")
    assert "secret-token-123" not in last().path


def test_rows_are_never_changed_or_deleted(user):
    Client().force_login(user)
    row = last()
    row.action = "nothing"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(ValueError):
        AuditLog.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(ValueError):
        AuditLog.objects.all().delete()


def test_prune_refuses_less_than_six_months(db):
    with pytest.raises(CommandError):
        call_command("prune_audit", "--keep-days", "182")


def test_prune_removes_only_rows_past_the_period(db):
    now = timezone.now()
    AuditLog.objects.create(action="old", outcome="success", at=now - timezone.timedelta(400))
    AuditLog.objects.create(action="kept", outcome="success", at=now - timezone.timedelta(100))
    call_command("prune_audit", "--keep-days", "365")
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["kept"]
    with pytest.raises(ValueError):
        AuditLog.objects.prune(now - timezone.timedelta(days=30))


def test_the_admin_is_read_only_and_exports_csv(admin_user, rf):
    AuditLog.objects.create(action="=cmd|' /C calc'!A0", outcome="success", actor_username="x")
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditlog/").status_code == 200
    assert client.get("/admin/audit/auditlog/add/").status_code == 403
    request = rf.get("/")
    request.user = admin_user
    model_admin = AuditLogAdmin(AuditLog, None)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    response = client.post(
        "/admin/audit/auditlog/",
        {
            "action": "export_csv",
            "_selected_action": list(AuditLog.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("at,actor_id,actor_username,action")
    assert "'=cmd" in text and ",=cmd" not in text
