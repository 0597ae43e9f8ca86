"""Readable case numbers: <preset prefix>-<local date>-<6-digit daily sequence>."""

from django.db.models import F
from django.utils import timezone

from cases.models import CaseCounter


def next_case_number(prefix: str, at) -> str:
    """Called inside the intake transaction, so a rolled-back intake gives its number back."""
    day = timezone.localdate(at)
    updated = CaseCounter.objects.filter(day=day).update(last=F("last") + 1)
    if not updated:
        CaseCounter.objects.get_or_create(day=day, defaults={"last": 0})
        CaseCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = CaseCounter.objects.values_list("last", flat=True).get(day=day)
    return f"{prefix}-{day:%Y%m%d}-{last:06d}"
