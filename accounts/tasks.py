from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accounts import throttle, tokens


@db_periodic_task(crontab(minute="7"))
def prune_login_throttles():
    throttle.prune()


@db_periodic_task(crontab(minute="17"))
def prune_expired_tokens():
    tokens.prune_expired()
