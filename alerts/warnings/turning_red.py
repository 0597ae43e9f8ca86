"""About to turn red: cases open at the end of the day whose deadline (``due_at``, the
light's red mark, ``cases.models.light_q``) falls before the end of the next working day
(``catalog.calendar.add_working_days``), so the handler still has a working day to finish.

For a past day (a catch-up) "open at the end of the day" is read from the case's times:
created by then, not resolved by then, not rejected or merged. One query per day.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alerts.warnings.common import day_bounds
from cases.models import Case, Status
from catalog.calendar import add_working_days
from gridgov.early_warning import Signal

KIND = "alerts.turning_red"


def turning_red(day: dt.date) -> Iterable[Signal]:
    """The rule (``register_rule("alerts.turning_red", …)``)."""
    day_start, end = day_bounds(day)
    horizon, _ = add_working_days(day_start, 1, timezone.get_current_timezone())
    rows = (
        Case.objects.filter(due_at__gte=end, due_at__lt=horizon)
        .exclude(status=Status.REJECTED)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .order_by("due_at", "pk")
        .values(
            "pk",
            "number",
            "title",
            "due_at",
            "grid__code",
            "org_code",
            "merged_into_id",
            "created_at",
        )
    )
    signals = []
    for row in rows:
        # Merged duplicates and cases created after the day are picked here, so that the
        # query reads the due_at index's day or two (a created_at bound in SQL made SQLite
        # read every case created before the day: bench/early_warning.py).
        if row["merged_into_id"] is not None or row["created_at"] >= end:
            continue
        due = timezone.localtime(row["due_at"])
        signals.append(
            Signal(
                kind=KIND,
                subject=f"case={row['number']}",
                node_code=row["grid__code"] or row["org_code"],
                title=f"即将超期：{row['number']} {row['title'][:40]}",
                reason=f"办结时限 {due:%m月%d日 %H:%M}，下一个工作日结束前到期，尚未办结",
                evidence_url=reverse("cases:detail", args=[row["pk"]]),
                severity="yellow",
                figures={"day": day.isoformat(), "due_at": due.isoformat(), "case": row["number"]},
            )
        )
    return signals
