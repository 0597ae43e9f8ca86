"""Background work of cases: the SLA sweep. Tasks take ids and re-read rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cases.sla import sweep_lights


@db_periodic_task(crontab(minute="*/5"))
def sweep_case_lights():
    sweep_lights()
