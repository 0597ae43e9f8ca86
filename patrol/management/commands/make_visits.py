"""``make_visits --seed 1 --days 30 --if-empty``: a deterministic month of household visits
and key-population care on the generated city (``make_city`` + ``make_cases``).

Most households of most grids are visited this month; about one grid in six is behind
(a third to two thirds covered). About one met household in eight voices a need; some of
those are turned, through the real actions, into cases (channel ``home_visit``), volunteer
orders or wishes, and needs-list items. Tagged residents get the platform's default care
schedules; visits count as their contacts, phone calls fill the gaps, and about one in ten
is left without a call (a missed contact). Visits and contacts are written in bulk (tens of
thousands on the county demo); conversions go through ``patrol.visits.do_convert_need``."""

import datetime as dt
import random
import time
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gridgov.errors import ActionError
from org.models import Household, OrgNode, User
from patrol.care import LOCAL, do_plan_default_care, due_after, grid_owners
from patrol.models import CareContact, CareSchedule, ContactKind, Visit, VisitNeed, VisitOutcome
from patrol.visit_coverage import month_bounds
from patrol.visits import do_convert_need
from residents.models import Resident

NEEDS = [
    ("楼道灯坏了，晚上上下楼看不见", "environment"),
    ("想申请居家养老助餐服务", "care"),
    ("老人行动不便，希望有人陪同去医院复查", "health"),
    ("家里水管漏水，想找人帮忙修", "living"),
    ("咨询高龄津贴怎么申请", "policy"),
    ("楼上住户噪音扰民，协商未果", "dispute"),
    ("孩子放学后无人看护，想参加四点半课堂", "living"),
    ("小区门口路面坑洼，雨天积水", "environment"),
    ("希望有志愿者帮忙理发", "care"),
    ("想了解医保报销政策", "policy"),
]
OUTCOMES = [VisitOutcome.MET] * 85 + [VisitOutcome.NOBODY_HOME] * 8
OUTCOMES += [VisitOutcome.REFUSED] * 3 + [VisitOutcome.VACANT] * 4
BATCH = 2000
CAPS = {"case": 40, "order": 20, "wish": 20, "needs_item": 30}


def _moment(value: str):
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"--now: not an ISO 8601 time: {value!r}")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "Generate a deterministic month of household visits, needs, care schedules and contacts."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--now", type=_moment, default=None, help="end of the month (ISO 8601); default now"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when there are visits already"
        )

    def handle(self, *args, days, seed, if_empty, now=None, **options):
        if if_empty and Visit.objects.exists():
            self.stdout.write("数据库里已有走访记录,跳过生成。")
            return
        started = time.monotonic()
        rng = random.Random(seed)
        now = (now or timezone.now()).replace(microsecond=0)
        window_start = now - dt.timedelta(days=days)
        month_start, _ = month_bounds(now.astimezone(LOCAL).date())
        this_month_from = max(month_start, window_start)
        if (now - this_month_from) < dt.timedelta(days=3):
            this_month_from = window_start
        schedules = do_plan_default_care(now=window_start)
        CareSchedule.objects.filter(started_at__gt=window_start).update(started_at=window_start)
        visits, needs_of = self._visits(rng, now, window_start, this_month_from)
        converted = self._convert(rng, needs_of)
        contacts, missed = self._care(rng, now, window_start)
        self.stdout.write(
            self.style.SUCCESS(
                f"生成完成 (seed {seed}) 用时 {time.monotonic() - started:.1f} 秒: "
                f"{visits} 次走访, {sum(len(n) for n in needs_of.values())} 条需求 "
                f"(转工单 {converted['case']}, 点单/微心愿 {converted['order']}, "
                f"需求清单 {converted['needs_item']}), 新建关爱计划 {schedules} 个, "
                f"关爱联系 {contacts} 次, 逾期未联系 {missed} 人"
            )
        )

    @staticmethod
    def _moment(rng, start, end):
        """A daytime moment (08:00–18:00 local) between start and end."""
        for _ in range(10):
            moment = start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
            local = moment.astimezone(LOCAL)
            if 8 <= local.hour < 18:
                return moment
        return moment

    def _visits(self, rng, now, window_start, this_month_from):
        grids = list(
            OrgNode.objects.exclude(grid_kind="")
            .filter(households__isnull=False)
            .distinct()
            .order_by("code")
        )
        households = defaultdict(list)
        for pk, grid_id in Household.objects.order_by("code").values_list("pk", "grid_id"):
            households[grid_id].append(pk)
        heads = dict(Resident.objects.filter(is_householder=True).values_list("household_id", "pk"))
        rows, met, planned_needs = [], [], []
        owners = grid_owners()
        for grid in grids:
            owner = owners.get(grid.pk)
            if owner is None:
                continue
            behind = rng.random() < 1 / 6
            share = rng.uniform(0.3, 0.65) if behind else rng.uniform(0.85, 1.0)
            for household_id in households[grid.pk]:
                moments = []
                if rng.random() < share:
                    moments.append(self._moment(rng, this_month_from, now))
                if this_month_from > window_start and rng.random() < 0.25:
                    moments.append(self._moment(rng, window_start, this_month_from))
                for moment in moments:
                    outcome = rng.choice(OUTCOMES)
                    rows.append(
                        Visit(
                            household_id=household_id,
                            grid_id=grid.pk,
                            visitor_id=owner,
                            visited_at=moment,
                            outcome=outcome,
                        )
                    )
                    head = heads.get(household_id)
                    met.append(head if outcome == VisitOutcome.MET else None)
                    wants = outcome == VisitOutcome.MET and rng.random() < 0.12
                    planned_needs.append(rng.choice(NEEDS) if wants else None)
        with transaction.atomic():
            created = Visit.objects.bulk_create(rows, batch_size=BATCH)
            through = Visit.met.through
            through.objects.bulk_create(
                (
                    through(visit_id=v.pk, resident_id=r)
                    for v, r in zip(created, met, strict=True)
                    if r is not None
                ),
                batch_size=BATCH,
            )
            need_rows = [
                VisitNeed(visit_id=v.pk, text=n[0], category=n[1], resident_id=r)
                for v, r, n in zip(created, met, planned_needs, strict=True)
                if n is not None
            ]
            VisitNeed.objects.bulk_create(need_rows, batch_size=BATCH)
        needs_of = defaultdict(list)
        for need in VisitNeed.objects.select_related("visit").order_by("pk"):
            needs_of[need.visit.visitor_id].append(need)
        return len(created), needs_of

    @staticmethod
    def _convert(rng, needs_of) -> dict:
        """A quarter of the needs become cases, a tenth orders or wishes, a tenth needs-list
        items, up to ``CAPS`` (the other generators own the volume of cases and orders)."""
        done = {"case": 0, "order": 0, "needs_item": 0}
        users = User.objects.in_bulk(list(needs_of))
        for visitor_id, needs in sorted(needs_of.items()):
            actor = users[visitor_id]
            for need in needs:
                roll = rng.random()
                if roll < 0.25:
                    target = "case"
                elif roll < 0.35:
                    target = rng.choice(["order", "wish"])
                elif roll < 0.45:
                    target = "needs_item"
                else:
                    continue
                if done["order" if target == "wish" else target] >= CAPS[target]:
                    continue
                try:
                    do_convert_need(need.pk, target, actor=actor, now=need.visit.visited_at)
                except ActionError:
                    continue
                done["order" if target == "wish" else target] += 1
        return done

    @staticmethod
    def _care(rng, now, window_start) -> tuple[int, int]:
        """Visits that met a household count as its scheduled residents' contacts; phone
        calls keep nine in ten schedules on time; the tenth is left to be missed."""
        schedules = list(CareSchedule.objects.select_related("resident__household").order_by("pk"))
        by_household = defaultdict(list)
        for schedule in schedules:
            by_household[schedule.resident.household_id].append(schedule)
        contacts = []
        met_visits = Visit.objects.filter(
            outcome=VisitOutcome.MET, household_id__in=list(by_household)
        ).values_list("pk", "household_id", "visited_at", "visitor_id")
        last = {}
        for visit_id, household_id, at, visitor_id in met_visits.iterator():
            for schedule in by_household[household_id]:
                contacts.append(
                    CareContact(
                        schedule=schedule,
                        contacted_at=at,
                        by_id=visitor_id,
                        kind=ContactKind.VISIT,
                        visit_id=visit_id,
                    )
                )
                last[schedule.pk] = max(last.get(schedule.pk, at), at)
        owners = grid_owners()
        for schedule in schedules:
            grid_id = schedule.resident.household.grid_id
            if owners.get(grid_id) is None:
                continue
            if rng.random() < 0.1:
                continue
            moment = window_start + dt.timedelta(days=rng.uniform(0, schedule.every_days))
            while moment < now:
                contacts.append(
                    CareContact(
                        schedule=schedule,
                        contacted_at=moment,
                        by_id=owners[grid_id],
                        kind=ContactKind.PHONE,
                        note="电话问候，身体状况良好",
                    )
                )
                last[schedule.pk] = max(last.get(schedule.pk, moment), moment)
                moment += dt.timedelta(days=schedule.every_days * rng.uniform(0.6, 0.95))
        # Each schedule's last contact and due date: one UPDATE per distinct due date (a few
        # dozen) rather than a CASE over every row.
        by_due = defaultdict(list)
        for schedule in schedules:
            since = last.get(schedule.pk) or schedule.started_at
            by_due[due_after(since, schedule.every_days)].append(schedule.pk)
        with transaction.atomic():
            CareContact.objects.bulk_create(contacts, batch_size=BATCH)
            CareSchedule.objects.update(
                last_contact_at=Subquery(
                    CareContact.objects.filter(schedule=OuterRef("pk"))
                    .order_by()
                    .values("schedule")
                    .annotate(last=Max("contacted_at"))
                    .values("last")
                )
            )
            for due, pks in by_due.items():
                for start in range(0, len(pks), BATCH):
                    CareSchedule.objects.filter(pk__in=pks[start : start + BATCH]).update(
                        due_on=due
                    )
        overdue = CareSchedule.objects.filter(due_on__lt=now.astimezone(LOCAL).date()).count()
        return len(contacts), overdue
