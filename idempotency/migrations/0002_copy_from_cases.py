"""Copy the idempotency records that lived in the cases app (``cases_idempotentrequest``)
into this app's table, keeping their ids; ``cases.0004`` then drops the old table. Page
form tokens were stored as ``page:<token>``; they become scope "page", key "<token>"."""

from django.core.management.color import no_style
from django.db import migrations

PAGE_PREFIX = "page:"


def _reset_sequence(model, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def _columns(qn):
    return ", ".join(
        qn(c) for c in ["id", "user_id", "path", "fingerprint", "status_code", "body", "created_at"]
    )


def forward(apps, schema_editor):
    qn = schema_editor.connection.ops.quote_name
    key = qn("key")
    columns = _columns(qn)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn('idempotency_idempotentrequest')} ({columns}, {qn('scope')}, {key}) "
            f"SELECT {columns}, "
            f"CASE WHEN {key} LIKE %s THEN 'page' ELSE '' END, "
            f"CASE WHEN {key} LIKE %s THEN SUBSTR({key}, %s) ELSE {key} END "
            f"FROM {qn('cases_idempotentrequest')}",
            [PAGE_PREFIX + "%", PAGE_PREFIX + "%", len(PAGE_PREFIX) + 1],
        )
    _reset_sequence(apps.get_model("idempotency", "IdempotentRequest"), schema_editor)


def backward(apps, schema_editor):
    qn = schema_editor.connection.ops.quote_name
    key, scope = qn("key"), qn("scope")
    columns = _columns(qn)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn('cases_idempotentrequest')} ({columns}, {key}) "
            f"SELECT {columns}, CASE WHEN {scope} = 'page' THEN %s || {key} ELSE {key} END "
            f"FROM {qn('idempotency_idempotentrequest')} WHERE {scope} IN ('', 'page')",
            [PAGE_PREFIX],
        )
        cursor.execute(f"DELETE FROM {qn('idempotency_idempotentrequest')}")
    _reset_sequence(apps.get_model("cases", "IdempotentRequest"), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("idempotency", "0001_initial"),
        ("cases", "0003_notification_times"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=True)]
