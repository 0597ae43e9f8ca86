"""Background work of alerts. Periodic tasks are idempotent and safe to run again."""

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alerts.warnings.job import is_meeting_day, run_day


# huey's crontab is in UTC: 21:30 UTC is 05:30 in Asia/Shanghai, early morning before the
# 每日研判会, when the day before is complete.
@db_periodic_task(crontab(minute="30", hour="21"))
def run_daily_early_warning():
    """The daily job (每日研判) for the local day that has just ended, on the preset's
    meeting days (``[early_warning].every_days``, daily by default). Rerunning is harmless
    (the job creates nothing twice); a missed morning is caught up with
    ``manage.py run_early_warning --from … --to …``."""
    day = timezone.localdate() - dt.timedelta(days=1)
    if is_meeting_day(day):
        run_day(day)
