"""Background work of analytics. Tasks take ids and re-read rows; periodic ones are
idempotent and safe to run again."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from analytics.aggregates import sync
from analytics.assessment import compute_month, previous_month, this_month


@db_periodic_task(crontab(minute="*/5"))
def sync_kpi_facts():
    """Facts of cases written in bulk (history, imports that skip signals), every 5 minutes."""
    sync()


# huey's crontab is in UTC: 18:17 UTC is 02:17 in Asia/Shanghai, after the day's callbacks.
@db_periodic_task(crontab(minute="17", hour="18"))
def compute_rankings():
    """Every night: this month's rankings so far, and last month's until it is published
    (late callbacks and scores still move it). Idempotent: a month whose inputs did not
    change is not written; a published ranking is never recomputed."""
    month = this_month()
    compute_month(previous_month(month))
    compute_month(month)


# Hourly rather than once at midnight: huey's crontab is in UTC while periods end at local
# midnight, and a worker that was down catches up within the hour. A run with nothing due
# costs one query per rhythm and period.
@db_periodic_task(crontab(minute="17"))
def make_scheduled_reports():
    from analytics.report_actions import make_due_reports

    make_due_reports()
