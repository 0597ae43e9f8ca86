"""Background work: outbox delivery and its retries, the SLA sweep, forgetting old
idempotency keys. Tasks take ids and re-read rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cases.delivery import deliver, due_rows
from cases.idempotency import prune_idempotency_records
from cases.sla import sweep_lights


@db_task()
def deliver_outbox(ids):
    for row_id in ids:
        deliver(row_id)


@db_periodic_task(crontab(minute="*"))
def retry_outbox():
    for row_id in due_rows():
        deliver(row_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_case_lights():
    sweep_lights()


@db_periodic_task(crontab(minute="23", hour="3"))
def prune_idempotency_keys():
    prune_idempotency_records()
