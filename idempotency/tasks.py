"""Forgetting idempotency keys after ``KEEP_DAYS``, nightly."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from idempotency.keys import prune_idempotency_records


@db_periodic_task(crontab(minute="23", hour="3"))
def prune_idempotency_keys():
    prune_idempotency_records()
