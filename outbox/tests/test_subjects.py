"""The outbox is about any subject, not only cases: a volunteer order, or nothing at all.
Rows are written in the caller's transaction and delivered after it commits."""

import pytest
from django.db import transaction

from org.models import User
from outbox.delivery import deliver, deliver_inbox_in_bulk
from outbox.models import InboxMessage, Outbox, Webhook
from outbox.notify import held_delivery, notify
from participation.actions import do_post_order


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def order(db, city):
    return do_post_order(actor=user("demo-resident"), kind="wish", title="想学用智能手机")


def test_a_volunteer_order_notifies_its_people_with_a_link_to_its_page(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            order,
            "order_taken",
            [user("demo-resident")],
            "您的微心愿已被认领",
            url=f"/volunteer/{order.pk}/",
        )
    (row,) = rows
    assert (row.subject_type, row.subject_id) == ("participation.serviceorder", order.pk)
    message = InboxMessage.objects.about(order).get()  # delivered on commit
    assert message.user == user("demo-resident") and message.url == f"/volunteer/{order.pk}/"
    assert message.title == "您的微心愿已被认领"
    assert list(Outbox.objects.about(order)) == [row]


def test_a_message_about_nothing_has_no_link(db, city):
    (row,) = notify(None, "digest", [user("demo-grid")], "本周小结", "3 件待办")
    assert deliver(row.pk) is True
    message = InboxMessage.objects.get(outbox=row)
    assert (message.subject_type, message.subject_id, message.url) == ("", None, "")
    assert message.body == "3 件待办"


def test_a_user_named_twice_gets_one_message(order):
    resident = user("demo-resident")
    assert len(notify(order, "x", [resident, resident], "t")) == 1


def test_the_webhook_body_names_the_subject_and_carries_the_callers_payload(order):
    Webhook.objects.create(name="区平台", url="http://127.0.0.1:9/", secret="s")
    rows = notify(order, "order_taken", [], "t", payload={"order": {"id": order.pk}}, url="/v/")
    (row,) = rows
    assert row.channel == "webhook"
    assert row.payload == {
        "event": "order_taken",
        "subject": {"type": "participation.serviceorder", "id": order.pk, "url": "/v/"},
        "order": {"id": order.pk},
        "title": "t",
    }


def test_rows_of_a_rolled_back_transaction_are_neither_kept_nor_delivered(
    order, django_capture_on_commit_callbacks
):
    before = Outbox.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(order, "x", [user("demo-resident")], "t")
                raise RuntimeError("the action failed")
    assert Outbox.objects.count() == before and callbacks == []


def test_held_delivery_queues_nothing_and_the_bulk_delivery_sends_the_backlog(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with held_delivery():
            notify(order, "x", [user("demo-resident"), user("demo-grid")], "t")
    assert callbacks == []
    assert deliver_inbox_in_bulk() == 2
    assert InboxMessage.objects.about(order).count() == 2
    assert deliver_inbox_in_bulk() == 0
