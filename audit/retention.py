"""Anonymising the personal details of cases closed long ago (PIPL art. 19: kept no longer
than needed; FixMyStreet does it after two years of inactivity).

What goes: the reporter's name, phone and account, the Open311 submitter's e-mail, device
and account ids; the location is rounded to three decimals (about 100 m). What stays: the
title, description, address, category, timeline and result, which the statistics and the
public record need. Each anonymised case gets one ``anonymise`` event on its timeline.

Volunteer orders confirmed or cancelled before the period lose the link to the resident who
asked and their free-text description (the title and hours stay for the statistics), with
an ``anonymise`` event on the order's timeline.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from cases.models import Case, CaseEvent, Status

BATCH_SIZE = 500
ACTION = "anonymise"
DEFAULT_RETENTION_DAYS = 730
PRECISION = 3  # decimals of a degree: about 110 m of latitude


def retention_days() -> int:
    return int(getattr(settings, "CASE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def due_cases(older_than_days: int, now=None):
    """Closed or rejected cases, finished before the period, not anonymised yet."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=older_than_days)
    done = CaseEvent.objects.filter(case=OuterRef("pk"), action=ACTION)
    return Case.objects.filter(
        status__in=[Status.CLOSED, Status.REJECTED], closed_at__lt=cutoff
    ).filter(~Exists(done))


def anonymise_closed_cases(older_than_days: int = DEFAULT_RETENTION_DAYS, now=None) -> int:
    """Anonymise every due case, ``BATCH_SIZE`` at a time, each batch in one transaction.
    Idempotent: a case already anonymised is not due any more. Returns the count."""
    now = now or timezone.now()
    total = 0
    while True:
        done = _anonymise_batch(older_than_days, now)
        total += done
        if done < BATCH_SIZE:
            return total


def _anonymise_batch(older_than_days: int, now) -> int:
    from open311.models import Submission

    with transaction.atomic():
        cases = list(
            due_cases(older_than_days, now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .only("pk", "lng", "lat", "version", "status")[:BATCH_SIZE]
        )
        if not cases:
            return 0
        events = []
        for case in cases:
            cleared = {"reporter": True, "location_rounded_to": PRECISION}
            case.reporter_name = case.reporter_phone = ""
            case.reporter_user = None
            case.lng = _round(case.lng)
            case.lat = _round(case.lat)
            case.version += 1
            events.append(
                CaseEvent(
                    case=case,
                    action=ACTION,
                    actor=None,
                    at=now,
                    from_status=case.status,
                    to_status=case.status,
                    note="个人信息已按保存期限匿名化",
                    data=cleared,
                )
            )
        Case.objects.bulk_update(
            cases,
            ["reporter_name", "reporter_phone", "reporter_user", "lng", "lat", "version"],
            batch_size=BATCH_SIZE,
        )
        Submission.objects.filter(case__in=cases).filter(
            ~Q(email="") | ~Q(device_id="") | ~Q(account_id="")
        ).update(email="", device_id="", account_id="")
        CaseEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        return len(cases)


def _round(value):
    return None if value is None else round(value, PRECISION)


def due_orders(older_than_days: int, now=None):
    """Volunteer orders finished (confirmed or cancelled) before the period, not anonymised."""
    from participation.models import OrderEvent, OrderStatus, ServiceOrder

    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=older_than_days)
    last = OrderEvent.objects.filter(order=OuterRef("pk")).order_by("-at", "-pk")
    done = OrderEvent.objects.filter(order=OuterRef("pk"), action=ACTION)
    return (
        ServiceOrder.objects.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.CANCELLED])
        .annotate(finished=Subquery(last.values("at")[:1]))
        .filter(finished__lt=cutoff)
        .filter(~Exists(done))
    )


def anonymise_finished_orders(older_than_days: int = DEFAULT_RETENTION_DAYS, now=None) -> int:
    """Anonymise every due order, ``BATCH_SIZE`` at a time; idempotent. Returns the count."""
    from participation.models import OrderEvent, ServiceOrder

    total = 0
    while True:
        with transaction.atomic():
            pks = list(
                due_orders(older_than_days, now)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not pks:
                return total
            statuses = dict(ServiceOrder.objects.filter(pk__in=pks).values_list("pk", "status"))
            ServiceOrder.objects.filter(pk__in=pks).update(
                requester=None, description="", version=F("version") + 1
            )
            OrderEvent.objects.bulk_create(
                OrderEvent(
                    order_id=pk,
                    action=ACTION,
                    from_status=statuses[pk],
                    to_status=statuses[pk],
                    actor=None,
                    at=timezone.now(),
                    note="个人信息已按保存期限匿名化",
                )
                for pk in pks
            )
        total += len(pks)
        if len(pks) < BATCH_SIZE:
            return total
