"""Background work of analytics: periodic, idempotent, safe to run again."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Hourly rather than once at midnight: huey's crontab is in UTC while periods end at local
# midnight, and a worker that was down catches up within the hour. A run with nothing due
# costs one query per rhythm and period.
@db_periodic_task(crontab(minute="17"))
def make_scheduled_reports():
    from analytics.report_actions import make_due_reports  # tasks load at start-up: stay light

    make_due_reports()
