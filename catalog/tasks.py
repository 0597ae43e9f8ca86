"""Background work of catalog: retraining the learned classifier."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from catalog.retrain import do_train_classifier


@db_periodic_task(crontab(minute="41", hour="*/6"))
def retrain_classifier():
    """Every six hours: a new version if people categorised cases (or the catalogue
    changed) since the last one; the first run after installation trains on the
    catalogue's own words."""
    do_train_classifier()
