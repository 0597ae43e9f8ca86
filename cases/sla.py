"""Traffic lights on open cases: green, yellow once most of the allowed time is used, red
when overdue. Pages and the API read the light from the clock (``Case.light_at``,
``cases.models.light_q``); a periodic sweep records the change on the timeline and tells
the people concerned."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import notify
from cases.config import case_settings
from cases.models import OPEN_STATUSES, Case, CaseEvent, Light

SWEEP_BATCH = 500


def warn_at_for(created_at, due_at, yellow_at: float | None = None):
    if due_at is None:
        return None
    if yellow_at is None:
        yellow_at = case_settings()["yellow_at"]
    return created_at + (due_at - created_at) * yellow_at


def light_for(case: Case, now) -> str:
    return case.light_at(now)


def sweep_lights(now=None) -> int:
    """Move the light of every open case whose light is behind the clock. Idempotent and
    safe with two workers: each batch is claimed with a row lock that skips rows another
    worker holds, and a light only ever moves forward (green → yellow → red)."""
    now = now or timezone.now()
    moved = 0
    while True:
        with transaction.atomic():
            batch = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("handling_node", "grid")
                .filter(status__in=OPEN_STATUSES, due_at__isnull=False)
                .filter(_behind_q(now))
                .order_by("due_at")[:SWEEP_BATCH]
            )
            for case in batch:
                _move(case, light_for(case, now), now)
            moved += len(batch)
        if len(batch) < SWEEP_BATCH:
            return moved


def _behind_q(now) -> Q:
    """Open cases whose stored light is behind the clock: overdue and not yet red, or past
    the yellow mark and still green."""
    return (Q(due_at__lte=now) & ~Q(light=Light.RED)) | Q(light=Light.GREEN, warn_at__lte=now)


def _move(case: Case, light: str, now) -> None:
    if light == case.light:
        return
    previous = case.light
    case.light = light
    case.save(update_fields=["light"])
    CaseEvent.objects.create(
        case=case,
        action="light",
        actor=None,
        at=now,
        from_status=case.status,
        to_status=case.status,
        note=f"{Light(previous).label} → {Light(light).label}",
        data={"from": previous, "to": light},
    )
    users = list(notify.handler_users(case))
    if light == Light.RED:
        users += list(notify.supervisor_users(case))
    label = "已超期" if light == Light.RED else "即将到期"
    notify.notify(case, f"case_{light}", users, f"{case.number} {label}：{case.title}", at=now)
