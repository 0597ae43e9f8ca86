"""Copy the outbox, inbox and webhook rows that lived in the cases app (``cases_*``
tables) into this app's tables, keeping their ids; ``cases.0004`` then drops the old
tables. A row's case becomes its subject (``cases.case`` and the case's id) with the
case page as its link. Plain INSERT … SELECT, so it runs on SQLite and PostgreSQL alike
without loading rows into Python."""

from django.core.management.color import no_style
from django.db import migrations
from django.urls import NoReverseMatch, reverse

CASE_LABEL = "cases.case"
PLACEHOLDER = 987654321


def _case_url_parts():
    """The case page's address around its id ("/cases/", "/"), as the URLconf has it."""
    try:
        url = reverse("cases:detail", kwargs={"pk": PLACEHOLDER})
    except NoReverseMatch:
        return "/cases/", "/"
    prefix, _, suffix = url.partition(str(PLACEHOLDER))
    return prefix, suffix


def _subject_columns(qn):
    case = qn("case_id")
    return (
        f"CASE WHEN {case} IS NULL THEN '' ELSE %s END, {case}, "
        f"CASE WHEN {case} IS NULL THEN '' ELSE %s || CAST({case} AS VARCHAR(20)) || %s END"
    )


def _reset_sequences(apps, schema_editor, names):
    connection = schema_editor.connection
    models = [apps.get_model(*name.split(".")) for name in names]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def forward(apps, schema_editor):
    qn = schema_editor.connection.ops.quote_name
    prefix, suffix = _case_url_parts()
    subject = _subject_columns(qn)
    params = [CASE_LABEL, prefix, suffix]
    webhook = ", ".join(qn(c) for c in ["id", "name", "url", "secret", "events", "is_active"])
    outbox = ", ".join(
        qn(c)
        for c in [
            "id",
            "channel",
            "recipient_id",
            "webhook_id",
            "event",
            "payload",
            "created_at",
            "delivered_at",
            "attempts",
            "next_attempt_at",
            "last_error",
        ]
    )
    inbox = ", ".join(
        qn(c) for c in ["id", "user_id", "outbox_id", "title", "body", "created_at", "read_at"]
    )
    about = ", ".join(qn(c) for c in ["subject_type", "subject_id", "url"])
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn('outbox_webhook')} ({webhook}) "
            f"SELECT {webhook} FROM {qn('cases_webhook')}"
        )
        cursor.execute(
            f"INSERT INTO {qn('outbox_outbox')} ({outbox}, {about}) "
            f"SELECT {outbox}, {subject} FROM {qn('cases_outbox')}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {qn('outbox_inboxmessage')} ({inbox}, {about}) "
            f"SELECT {inbox}, {subject} FROM {qn('cases_inboxmessage')}",
            params,
        )
    _reset_sequences(apps, schema_editor, ["outbox.Webhook", "outbox.Outbox", "outbox.InboxMessage"])


def backward(apps, schema_editor):
    """Back into the cases tables (recreated by reversing ``cases.0004``): the rows about a
    case or about nothing; rows about other subjects have no place there."""
    qn = schema_editor.connection.ops.quote_name
    keep = f"{qn('subject_type')} IN ('', %s)"
    case_id = f"CASE WHEN {qn('subject_type')} = %s THEN {qn('subject_id')} END"
    webhook = ", ".join(qn(c) for c in ["id", "name", "url", "secret", "events", "is_active"])
    outbox = ", ".join(
        qn(c)
        for c in [
            "id",
            "channel",
            "recipient_id",
            "webhook_id",
            "event",
            "payload",
            "created_at",
            "delivered_at",
            "attempts",
            "next_attempt_at",
            "last_error",
        ]
    )
    inbox = ", ".join(
        qn(c) for c in ["id", "user_id", "outbox_id", "title", "body", "created_at", "read_at"]
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn('cases_webhook')} ({webhook}) "
            f"SELECT {webhook} FROM {qn('outbox_webhook')}"
        )
        cursor.execute(
            f"INSERT INTO {qn('cases_outbox')} ({outbox}, {qn('case_id')}) "
            f"SELECT {outbox}, {case_id} FROM {qn('outbox_outbox')} WHERE {keep}",
            [CASE_LABEL, CASE_LABEL],
        )
        cursor.execute(
            f"INSERT INTO {qn('cases_inboxmessage')} ({inbox}, {qn('case_id')}) "
            f"SELECT {inbox}, {case_id} FROM {qn('outbox_inboxmessage')} WHERE {keep} "
            f"AND {qn('outbox_id')} IN (SELECT {qn('id')} FROM {qn('cases_outbox')})",
            [CASE_LABEL, CASE_LABEL],
        )
        for table in ["outbox_inboxmessage", "outbox_outbox", "outbox_webhook"]:
            cursor.execute(f"DELETE FROM {qn(table)}")
    _reset_sequences(apps, schema_editor, ["cases.Webhook", "cases.Outbox", "cases.InboxMessage"])


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("cases", "0003_notification_times"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=True)]
