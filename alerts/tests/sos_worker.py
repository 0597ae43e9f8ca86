"""A worker process for the escalation race test: ``python -m alerts.tests.sos_worker
DUE START`` waits for the wall-clock instant START (so two processes begin together),
moves the clock to DUE (ISO 8601) and calls the periodic escalation task itself."""

import os
import sys
import time
from datetime import datetime
from unittest import mock

import django


def main(due: str, start: str):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    django.setup()
    from alerts.sos.tasks import escalate_sos_alarms

    time.sleep(max(0.0, float(start) - time.time()))
    with mock.patch("alerts.sos.escalation.timezone.now", return_value=datetime.fromisoformat(due)):
        escalate_sos_alarms.call_local()


if __name__ == "__main__":
    main(*sys.argv[1:3])
