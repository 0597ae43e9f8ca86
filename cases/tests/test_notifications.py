"""Notifications: outbox rows in the action's transaction, one inbox message per row,
signed webhook calls retried with back-off and seen once by the receiver."""

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.utils import timezone

from cases.actions import Report, do_case_action, do_create_case
from cases.models import Assignment, CaseEvent
from gridgov.errors import InvalidInput
from org.models import User
from outbox.delivery import backoff, deliver, due_rows, sign
from outbox.models import InboxMessage, Outbox, Webhook

SECRET = "webhook-secret-for-tests"


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def case(db, city):
    grid = user("demo-grid").assignments.get().node
    return do_create_case(
        Report(title="路灯不亮", channel="grid_report", grid_code=grid.code),
        actor=user("demo-grid"),
    )


def dispatch(case, **data):
    department = user("demo-dept").assignments.get().department
    return do_case_action(
        case.pk,
        "dispatch",
        actor=user("demo-grid"),
        version=case.version,
        data={"lead": {"department": department.code}, **data},
    )


def test_an_action_writes_its_outbox_rows_in_its_own_transaction(
    case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        dispatch(case)
    rows = Outbox.objects.about(case).filter(event="case_dispatched")
    assert "demo-dept" in set(rows.values_list("recipient__username", flat=True))
    assert all(row.delivered_at is None for row in rows)  # delivery waits for the commit
    assert len(callbacks) == 1  # the delivery task, enqueued on commit


def test_a_failed_action_writes_no_outbox_rows(case, django_capture_on_commit_callbacks):
    before = Outbox.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(InvalidInput):
            dispatch(case, assist=[{"department": "no-such-department"}])
    assert Outbox.objects.count() == before and callbacks == []


def test_an_action_failing_after_it_notified_takes_its_outbox_rows_back(
    case, monkeypatch, django_capture_on_commit_callbacks
):
    """The handler has written its rows when the timeline write fails: all roll back."""

    def broken_create(**kwargs):
        raise RuntimeError("timeline write failed")

    before = (Outbox.objects.count(), Assignment.objects.count(), CaseEvent.objects.count())
    monkeypatch.setattr(CaseEvent.objects, "create", broken_create)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            dispatch(case)
    monkeypatch.undo()
    after = (Outbox.objects.count(), Assignment.objects.count(), CaseEvent.objects.count())
    assert after == before and callbacks == []
    case.refresh_from_db()
    assert (case.status, case.version) == ("submitted", 1)


def test_deliver_writes_one_inbox_message_per_outbox_row_even_when_called_twice(case):
    dispatch(case)
    rows = list(Outbox.objects.filter(channel="inbox"))
    assert rows
    for row in rows:
        assert deliver(row.pk) is True
        assert deliver(row.pk) is False  # already delivered
    assert InboxMessage.objects.count() == len(rows)
    message = InboxMessage.objects.get(outbox=rows[0])
    assert message.user_id == rows[0].recipient_id
    assert (message.subject_type, message.subject_id) == ("cases.case", case.pk)
    assert message.url == f"/cases/{case.pk}/"
    assert message.title == rows[0].payload["title"]


def test_a_row_delivered_again_after_a_lost_mark_still_gives_one_message(case):
    """At-least-once delivery: a worker that died after writing the message but before
    marking the row delivers it again; the inbox keeps one message."""
    dispatch(case)
    row = Outbox.objects.filter(channel="inbox").first()
    deliver(row.pk)
    Outbox.objects.filter(pk=row.pk).update(delivered_at=None, next_attempt_at=timezone.now())
    assert deliver(row.pk) is True
    assert InboxMessage.objects.filter(outbox=row).count() == 1


def test_due_rows_lists_what_is_waiting_and_not_what_was_delivered(case):
    dispatch(case)
    waiting = set(Outbox.objects.values_list("pk", flat=True))
    assert set(due_rows()) == waiting
    first = sorted(waiting)[0]
    deliver(first)
    assert set(due_rows()) == waiting - {first}


class Receiver:
    """A webhook endpoint on 127.0.0.1: answers 500 to the first call, 204 after; checks
    each call's signature and remembers what it saw."""

    def __init__(self, secret):
        self.secret = secret
        self.calls: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Gridgov-Timestamp"]
                expected = hmac.new(
                    receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                status = 500 if not receiver.calls else 204
                receiver.calls.append(
                    {
                        "status": status,
                        "body": json.loads(body),
                        "event": self.headers["X-Gridgov-Event"],
                        "delivery": self.headers["X-Gridgov-Delivery"],
                        "signature_ok": hmac.compare_digest(
                            self.headers["X-Gridgov-Signature"], f"sha256={expected}"
                        ),
                        "sign_agrees": self.headers["X-Gridgov-Signature"]
                        == "sha256=" + sign(receiver.secret, int(timestamp), body),
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def accepted_ids(self):
        return [call["body"]["id"] for call in self.calls if call["status"] < 300]


def test_a_webhook_failing_once_is_retried_after_backoff_signed_and_seen_once(case):
    with Receiver(SECRET) as receiver:
        Webhook.objects.create(name="区平台", url=receiver.url, secret=SECRET, events=[])
        dispatch(case)
        row = Outbox.objects.about(case).get(channel="webhook")
        assert row.payload["event"] == "case_dispatched"

        started = timezone.now()
        assert deliver(row.pk) is False  # the receiver answered 500
        row.refresh_from_db()
        assert row.attempts == 1 and row.delivered_at is None and "500" in row.last_error
        wait = row.next_attempt_at - started
        assert backoff(1) <= wait <= backoff(1) + dt.timedelta(seconds=5)
        assert row.pk not in due_rows()
        assert deliver(row.pk) is False and len(receiver.calls) == 1  # not due yet

        # The back-off has passed.
        Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert row.pk in due_rows()
        for row_id in due_rows():
            deliver(row_id)
        row.refresh_from_db()
        assert row.delivered_at is not None and row.attempts == 2
        assert deliver(row.pk) is False  # nothing left to send

    assert [call["status"] for call in receiver.calls] == [500, 204]
    assert all(call["signature_ok"] and call["sign_agrees"] for call in receiver.calls)
    assert all(call["event"] == "case_dispatched" for call in receiver.calls)
    assert all(call["delivery"] == str(row.pk) for call in receiver.calls)
    assert receiver.accepted_ids == [row.pk]  # each event id accepted once
    assert receiver.calls[-1]["body"]["case"]["id"] == case.pk
    assert receiver.calls[-1]["body"]["subject"] == {
        "type": "cases.case",
        "id": case.pk,
        "url": f"/cases/{case.pk}/",
    }


def test_a_webhook_payload_gives_the_case_as_the_action_left_it(case):
    Webhook.objects.create(name="区平台", url="http://127.0.0.1:9/", secret=SECRET)
    dispatched = dispatch(case)
    payload = Outbox.objects.get(channel="webhook", event="case_dispatched").payload
    assert payload["case"]["status"] == dispatched.status == "dispatched"
    assert payload["case"]["version"] == dispatched.version == 2


def test_a_webhook_subscribed_to_other_events_gets_no_row(case):
    Webhook.objects.create(
        name="只要办结", url="http://127.0.0.1:9/", secret=SECRET, events=["case_resolved"]
    )
    Webhook.objects.create(name="停用", url="http://127.0.0.1:9/", secret=SECRET, is_active=False)
    dispatch(case)
    assert not Outbox.objects.filter(channel="webhook").exists()


def test_a_signature_covers_the_timestamp(case):
    body = b'{"id": 1}'
    assert sign(SECRET, 1_700_000_000, body) != sign(SECRET, 1_700_000_001, body)
    assert sign(SECRET, 1_700_000_000, body) != sign("other", 1_700_000_000, body)


def test_people_are_told_what_their_verbs_let_them_act_on(case):
    """A new case goes to who takes cases in at the grid, not to its volunteer or 八员."""
    told = set(Outbox.objects.about(case).values_list("recipient__username", flat=True))
    assert "demo-grid" in told
    assert "demo-volunteer" not in told


def test_a_department_is_whistled_once_and_an_unanswered_whistle_ends_with_the_case(case):
    department = user("demo-dept").assignments.get().department
    community = user("demo-community")
    case = do_case_action(case.pk, "accept", actor=community, version=case.version)
    case = do_case_action(
        case.pk,
        "whistle",
        actor=community,
        version=case.version,
        data={"departments": [department.code]},
    )
    with pytest.raises(InvalidInput):
        do_case_action(
            case.pk,
            "whistle",
            actor=community,
            version=case.version,
            data={"departments": [department.code]},
        )
    whistle = Assignment.objects.get(case=case, role="whistle")
    assert whistle.status_label == "待报到"
    case = do_case_action(case.pk, "handle", actor=community, version=case.version)
    do_case_action(
        case.pk, "resolve", actor=community, version=case.version, data={"result": "已修好"}
    )
    whistle.refresh_from_db()
    assert (whistle.status, whistle.note) == ("withdrawn", "已办结")
