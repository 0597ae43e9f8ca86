"""Delivery of outbox rows: queued after each commit, and retried every minute with the
back-off of ``outbox.delivery``. Tasks take ids and re-read the rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from outbox.delivery import deliver, due_rows


@db_task()
def deliver_outbox(ids):
    for row_id in ids:
        deliver(row_id)


@db_periodic_task(crontab(minute="*"))
def retry_outbox():
    for row_id in due_rows():
        deliver(row_id)
