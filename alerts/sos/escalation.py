"""The escalation sweep: run the chain's steps that fell due while nobody acknowledged.

Each due step is claimed and acted on in one transaction: a conditional UPDATE
(``claimed_at`` set only where it is still NULL) claims it, and only the worker whose
UPDATE changed the row goes on. On PostgreSQL a second worker's UPDATE of the same row
waits for the first to commit and then finds it claimed; on SQLite the write transactions
are IMMEDIATE and take turns (busy timeout 20 s). A worker that dies mid-step rolls its
claim back, so the step runs once, exactly, by whoever comes next. An alarm answered in
the meantime (its row is locked before the step acts) gets the step marked ``skipped``.
Batches of ``BATCH`` steps (Saleor's expiry tasks; STYLE habit 10).
"""

from django.db import transaction
from django.utils import timezone

from alerts.models import Alarm, AlarmStatus, EscalationStep
from alerts.sos.actions import tell_step
from alerts.sos.chain import chain

BATCH = 200


def run_due_steps(now=None) -> int:
    """Run every step due at ``now`` (default: the clock) that nobody claimed; returns how
    many this call sent (steps skipped or claimed by another worker are not counted)."""
    now = now or timezone.now()
    steps = chain()
    sent = 0
    while True:
        due = list(
            EscalationStep.objects.filter(claimed_at__isnull=True, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", "alarm_id", "index")[:BATCH]
        )
        for pk, alarm_id, index in due:
            sent += _run_step(pk, alarm_id, index, steps, now)
        if len(due) < BATCH:
            return sent


def _run_step(pk, alarm_id, index, steps, now) -> int:
    with transaction.atomic():
        claimed = EscalationStep.objects.filter(pk=pk, claimed_at__isnull=True).update(
            claimed_at=now
        )
        if not claimed:
            return 0  # another worker has it
        alarm = (
            Alarm.objects.select_for_update(of=("self",))
            .select_related("grid", "resident__household")
            .get(pk=alarm_id)
        )
        if alarm.status != AlarmStatus.OPEN or index >= len(steps):
            EscalationStep.objects.filter(pk=pk).update(outcome="skipped")
            return 0
        tell_step(alarm, index, steps[index], at=now)
        EscalationStep.objects.filter(pk=pk).update(outcome="sent")
        return 1
