"""Key populations' care (重点人群关爱): schedules, contacts, who is due or missed, and the
early-warning rule ``patrol.care_missed``.

Platform default (the seeds name the groups, not the rhythm; a ``patrol.plan_care`` holder
changes any schedule, ``do_plan_care``): a resident carrying one of these tags gets a
schedule, the shortest interval of their tags winning —

============== ====== ================= ==========================================
tag            every  by                why
============== ====== ================= ==========================================
living-alone   7 d    building leader   独居: 每周见一面, the neighbour who lives there
left-behind    7 d    grid worker       留守: 每周
elderly        14 d   grid worker       高龄
disabled       14 d   grid worker       残疾
child          30 d   building leader   儿童: 每月
(key tag)      30 d   grid worker       any tag marked 重点人群 in the preset
============== ====== ================= ==========================================

Dates are local (Asia/Shanghai): a schedule is due on ``due_on`` = the local date of the
last contact (or of the schedule's start) + ``every_days``; from the day after, missed.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from gridgov.early_warning import Signal
from gridgov.errors import InvalidInput, NotPermitted, StaleVersion
from gridgov.masking import mask_name
from idempotency.offline import field_time
from org.models import RoleAssignment
from org.permissions import codes_with, duties_with, has
from patrol.models import CareContact, CarePlanEvent, Carer, CareSchedule, ContactKind, Visit
from residents.models import Resident, Tag

LOCAL = ZoneInfo("Asia/Shanghai")
PLAN_VERB = "patrol.plan_care"
CONTACT_VERB = "patrol.visit"
# tag code -> (every N days, by whom); see the module's docstring.
DEFAULT_PLANS: dict[str, tuple[int, str]] = {
    "living-alone": (7, Carer.BUILDING_LEADER),
    "left-behind": (7, Carer.GRID_WORKER),
    "elderly": (14, Carer.GRID_WORKER),
    "disabled": (14, Carer.GRID_WORKER),
    "child": (30, Carer.BUILDING_LEADER),
}
KEY_POPULATION_PLAN = (30, Carer.GRID_WORKER)
MAX_EVERY_DAYS = 365
# Shown as "due soon" this many days ahead of the due date.
DUE_SOON_DAYS = 2
BATCH = 1000


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def care_tags() -> dict[str, tuple[int, str]]:
    """{tag code: (every_days, by)} of the tags that bring a care schedule: the platform's
    defaults present in this installation, and every tag the preset marks 重点人群."""
    plans = {}
    for code, is_key in Tag.objects.values_list("code", "is_key_population"):
        if code in DEFAULT_PLANS:
            plans[code] = DEFAULT_PLANS[code]
        elif is_key:
            plans[code] = KEY_POPULATION_PLAN
    return plans


def due_after(since: dt.datetime, every_days: int) -> dt.date:
    return local_date(since) + dt.timedelta(days=every_days)


def do_plan_default_care(node_code: str = "", *, now=None) -> int:
    """Give every resident under ``node_code`` (everywhere when "") who carries a care tag
    and has no schedule the platform's default one; returns how many were made. Runs daily
    (``patrol.care_tasks``) and from ``make_visits``; never changes an existing schedule."""
    now = now or timezone.now()
    plans = care_tags()
    if not plans:
        return 0
    residents = Resident.objects.filter(tags__code__in=plans, care_schedule__isnull=True)
    if node_code:
        residents = residents.filter(household__code__startswith=node_code)
    tags_of: dict[int, list[str]] = {}
    names = dict(Tag.objects.values_list("code", "name"))
    for pk, code in residents.values_list("pk", "tags__code").distinct():
        if code in plans:
            tags_of.setdefault(pk, []).append(code)
    made = 0
    items = sorted(tags_of.items())
    for start in range(0, len(items), BATCH):
        rows = []
        for pk, codes in items[start : start + BATCH]:
            every, by = min(plans[code] for code in codes)
            reason = "、".join(sorted(names[code] for code in codes))
            rows.append(
                CareSchedule(
                    resident_id=pk,
                    every_days=every,
                    by=by,
                    reason=reason[:100],
                    started_at=now,
                    due_on=due_after(now, every),
                )
            )
        with transaction.atomic():
            created = CareSchedule.objects.bulk_create(rows, ignore_conflicts=True)
            schedules = CareSchedule.objects.filter(
                resident_id__in=[r.resident_id for r in created], events__isnull=True
            )
            CarePlanEvent.objects.bulk_create(
                CarePlanEvent(
                    schedule=s,
                    action="plan_default",
                    actor=None,
                    at=now,
                    to_status="active",
                    data={"every_days": s.every_days, "by": s.by},
                )
                for s in schedules
            )
        made += len(created)
    return made


def do_plan_care(
    resident_id, *, actor, every_days, by: str, carer_id=None, version=None, now=None
) -> CareSchedule:
    """Set or change a resident's care schedule (``patrol.plan_care`` at their household):
    every ``every_days`` days (1–365), by ``by`` (``Carer``), optionally a named carer (a
    user holding ``patrol.visit`` there). A change with a ``version`` other than the
    schedule's is StaleVersion (409). The due date is recomputed from the last contact."""
    now = now or timezone.now()
    if codes_with(actor, PLAN_VERB) == []:  # holds it nowhere: refused before any lookup
        raise NotPermitted("只有社区、街道工作人员和网格长可以制定关爱计划")
    resident = (
        Resident.objects.restrict(actor).select_related("household").filter(pk=resident_id).first()
    )
    if resident is None:
        raise InvalidInput("没有这位居民，或不在您的管辖范围内", errors={"resident": ["无效"]})
    if not has(actor, PLAN_VERB, resident.household.code):
        raise NotPermitted("只有社区、街道工作人员和网格长可以制定关爱计划")
    try:
        every_days = int(every_days)
    except (TypeError, ValueError):
        every_days = 0
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        raise InvalidInput("联系周期须在 1 到 365 天之间", errors={"every_days": ["超出范围"]})
    if by not in Carer.values:
        raise InvalidInput("联系人须为网格员或楼栋长", errors={"by": ["无效"]})
    carer = None
    if carer_id:
        carer = _carer(carer_id, resident.household.code)
    with transaction.atomic():
        schedule = CareSchedule.objects.select_for_update().filter(resident=resident).first()
        before = None
        if schedule is None:
            schedule = CareSchedule(resident=resident, started_at=now, reason="")
            action = "plan"
        else:
            if version not in (None, "") and str(version) != str(schedule.version):
                raise StaleVersion("关爱计划已被他人修改，请刷新后重试")
            before = {"every_days": schedule.every_days, "by": schedule.by}
            schedule.version += 1
            action = "change"
        schedule.every_days, schedule.by, schedule.carer = every_days, by, carer
        schedule.due_on = due_after(schedule.last_contact_at or schedule.started_at, every_days)
        schedule.save()
        CarePlanEvent.objects.create(
            schedule=schedule,
            action=action,
            actor=actor,
            at=now,
            from_status="active" if before else "",
            to_status="active",
            data={"before": before, "every_days": every_days, "by": by, "carer": carer_id},
        )
    return schedule


def _carer(carer_id, code):
    from org.models import User

    user = User.objects.filter(pk=carer_id, is_active=True).first()
    if user is None or not has(user, CONTACT_VERB, code):
        raise InvalidInput("责任人须是能走访这一户的人员", errors={"carer": ["无效"]})
    return user


def _move_due(schedule: CareSchedule, at: dt.datetime) -> None:
    if schedule.last_contact_at is None or at > schedule.last_contact_at:
        schedule.last_contact_at = at
        schedule.due_on = due_after(at, schedule.every_days)
        schedule.save(update_fields=["last_contact_at", "due_on"])


def count_visit_as_contact(visit: Visit) -> int:
    """A visit that met the household is a contact for each scheduled resident living
    there (once per visit: a unique constraint). Called inside ``do_record_visit``'s
    transaction; returns the number of contacts made."""
    schedules = list(
        CareSchedule.objects.select_for_update().filter(resident__household=visit.household_id)
    )
    for schedule in schedules:
        CareContact.objects.create(
            schedule=schedule,
            contacted_at=visit.visited_at,
            by=visit.visitor,
            kind=ContactKind.VISIT,
            visit=visit,
        )
        _move_due(schedule, visit.visited_at)
    return len(schedules)


def do_record_contact(
    schedule_id,
    *,
    actor,
    kind=ContactKind.PHONE,
    note="",
    offline_at=None,
    offline_sent_at=None,
    now=None,
) -> CareContact:
    """Record a contact other than a visit (a phone call) for a schedule the actor may
    see, holding ``patrol.visit`` at the household. ``offline_at`` and
    ``offline_sent_at`` as for visits."""
    now = now or timezone.now()
    schedule = (
        CareSchedule.objects.restrict(actor)
        .select_related("resident__household")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None:
        raise InvalidInput("没有这个关爱对象，或不在您的管辖范围内", errors={"schedule": ["无效"]})
    if not has(actor, CONTACT_VERB, schedule.resident.household.code):
        raise NotPermitted("只有本网格的网格员、楼栋长等可以记录关爱联系")
    if kind not in ContactKind.values:
        raise InvalidInput("联系方式无效", errors={"kind": ["无效"]})
    if kind == ContactKind.VISIT:
        raise InvalidInput("入户走访请填写走访记录", errors={"kind": ["请用走访表单"]})
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput("情况说明最多 500 字", errors={"note": ["太长"]})
    at, time_note = field_time(offline_at, offline_sent_at, now=now)
    with transaction.atomic():
        schedule = CareSchedule.objects.select_for_update().get(pk=schedule.pk)
        contact = CareContact.objects.create(
            schedule=schedule,
            contacted_at=at,
            by=actor,
            kind=kind,
            note=" ".join(filter(None, [note, time_note]))[:500],
        )
        _move_due(schedule, at)
    return contact


# -- who is due -----------------------------------------------------------------------------


def status_of(schedule: CareSchedule, today: dt.date) -> str:
    """``overdue`` (the due date has passed), ``due`` (due within DUE_SOON_DAYS) or ``ok``."""
    if schedule.due_on < today:
        return "overdue"
    if schedule.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "ok"


def care_schedules(user, *, node_code: str = ""):
    """The schedules the user keeps (``patrol.visit`` where they hold it), or, for those
    who plan care, those of their subtree; soonest due first."""
    from org.permissions import restrict

    mine = restrict(CareSchedule.objects.all(), user, CONTACT_VERB)
    planned = restrict(CareSchedule.objects.all(), user, PLAN_VERB)
    schedules = CareSchedule.objects.filter(
        Q(pk__in=mine.values("pk")) | Q(pk__in=planned.values("pk"))
    )
    if node_code:
        schedules = schedules.filter(resident__household__code__startswith=node_code)
    return schedules.select_related("resident__household__grid", "carer").order_by("due_on", "pk")


def overdue_count(schedules, today: dt.date) -> int:
    return schedules.filter(due_on__lt=today).count()


# -- early warning ----------------------------------------------------------------------------


def grid_owners(grid_ids=None) -> dict[int, int]:
    """{grid id: its worker's user id}: someone seated at the grid node itself whose duty
    holds ``patrol.visit``, those who also post orders for residents
    (``volunteer.post_for``: the grid's staff rather than its members) first, the lowest id
    among equals, so the choice is stable from run to run. One query."""
    visit = set(duties_with(CONTACT_VERB))
    staff = visit & set(duties_with("volunteer.post_for"))
    seats = RoleAssignment.objects.filter(department=None, role__duty__in=visit).exclude(
        node__grid_kind=""
    )
    if grid_ids is not None:
        seats = seats.filter(node_id__in=list(grid_ids))
    best: dict[int, tuple] = {}
    for node_id, user_id, duty in seats.values_list("node_id", "user_id", "role__duty"):
        rank = (duty not in staff, user_id)
        if node_id not in best or rank < best[node_id]:
            best[node_id] = rank
    return {node_id: rank[1] for node_id, rank in best.items()}


def grid_owner(grid_id: int) -> int | None:
    return grid_owners([grid_id]).get(grid_id)


def missed_on(day: dt.date):
    """``[(schedule, due_on)]`` missed at the end of ``day``: due (the local date of its last
    contact up to the end of ``day``, or of its start, + every_days) before or on ``day``,
    for schedules started by then. Computed from the contacts, so a rerun for a past day
    gives the same answer."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LOCAL)
    lasts = (
        CareSchedule.objects.filter(started_at__lt=end)
        .annotate(last=Max("contacts__contacted_at", filter=Q(contacts__contacted_at__lt=end)))
        .values_list("pk", "last", "started_at", "every_days")
    )
    due_of = {}
    for pk, last, started_at, every_days in lasts.iterator(chunk_size=BATCH):
        due = due_after(last or started_at, every_days)
        if due <= day:
            due_of[pk] = due
    # Only the missed ones are loaded whole (a few hundred of the city's thousands).
    schedules = CareSchedule.objects.filter(pk__in=list(due_of)).select_related(
        "resident__household__grid"
    )
    return [(schedule, due_of[schedule.pk]) for schedule in schedules.order_by("pk")]


def care_missed(day: dt.date):
    """``patrol.care_missed``: one signal per resident whose care contact is overdue at the
    end of ``day`` (subject ``care=<schedule id>``; red when overdue by more than a whole
    interval), at the household's grid, owned by the schedule's carer or else the grid's
    worker; the evidence is the grid's care list. Names masked."""
    missed = missed_on(day)
    owners = grid_owners({s.resident.household.grid_id for s, _ in missed}) if missed else {}
    care_list = reverse("patrol:care_list")
    for schedule, due in missed:
        grid = schedule.resident.household.grid
        late = (day - due).days + 1
        yield Signal(
            kind="patrol.care_missed",
            subject=f"care={schedule.pk}",
            node_code=grid.code,
            title=f"关爱联系逾期：{mask_name(schedule.resident.name)}",
            reason=(
                f"{schedule.reason or '重点人群'}，每 {schedule.every_days} 天联系一次，"
                f"应于 {due:%m月%d日} 前联系，已逾期 {late} 天"
            ),
            evidence_url=f"{care_list}?grid={grid.code}",
            owner_id=schedule.carer_id or owners.get(grid.pk),
            severity="red" if late > schedule.every_days else "yellow",
            figures={
                "every_days": schedule.every_days,
                "days_late": late,
                "due_on": due.isoformat(),
            },
        )
