"""The periodic escalation sweep (every minute), imported by ``AlertsConfig.ready()``."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alerts.sos.escalation import run_due_steps


@db_periodic_task(crontab(minute="*"))
def escalate_sos_alarms():
    run_due_steps()
