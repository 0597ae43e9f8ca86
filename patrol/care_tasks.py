"""The care schedules' daily job (imported by ``patrol.visit_panels.register``, so huey knows
it without a ``tasks`` module shared with the patrols)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="17", hour="2"))
def plan_default_care():
    """Newly tagged residents get the platform's default care schedule overnight."""
    from patrol.care import do_plan_default_care

    return do_plan_default_care()
