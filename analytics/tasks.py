"""Background work of analytics. Tasks take ids and re-read rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from analytics.aggregates import sync
from analytics.assessment import compute_month, previous_month, this_month


@db_periodic_task(crontab(minute="*/5"))
def sync_kpi_facts():
    """Facts of cases written in bulk (history, imports that skip signals), every 5 minutes."""
    sync()


@db_periodic_task(crontab(minute="17", hour="2"))
def compute_rankings():
    """Every night: this month's rankings so far, and last month's until it is published
    (late callbacks and scores still move it). Idempotent: a month whose inputs did not
    change is not written; a published ranking is never recomputed."""
    month = this_month()
    compute_month(previous_month(month))
    compute_month(month)
