"""Background work of analytics. Tasks take ids and re-read rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from analytics.aggregates import sync


@db_periodic_task(crontab(minute="*/5"))
def sync_kpi_facts():
    """Facts of cases written in bulk (history, imports that skip signals), every 5 minutes."""
    sync()
