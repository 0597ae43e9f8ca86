from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accounts import throttle


@db_periodic_task(crontab(minute="7"))
def prune_login_throttles():
    throttle.prune()
