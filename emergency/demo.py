"""The demo's 平急转换 (``make_emergency``): 双报到 registrations, emergency teams, and one
past emergency run through the real actions (switched, called up, tasks, check-ins,
ended), deterministic for a seed.

- registrations: ``SHARE`` of the adults, spread over every grid, plus the demo's
  resident and volunteer accounts (so they find the past call-up on 我的应急任务);
- teams: ``TEAMS_PER_COMMUNITY`` per community, of the preset's kinds in turn
  (``emergency.preset.team_kinds``), each with up to ``TEAM_SIZE`` of its registrations;
- the past emergency: the demo community's, ``DAYS_AGO`` days ago, a task per grid, about
  ``CHECK_IN_SHARE`` checked in (half by themselves, the rest by the community), ended the
  next morning."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from emergency.actions import do_check_in, do_end_emergency, do_give_task, do_switch_on
from emergency.models import Team
from emergency.preset import team_kinds
from members.models import Registration, RegistrationKind
from org.models import OrgNode, User
from outbox.delivery import deliver_inbox_in_bulk
from outbox.notify import held_delivery
from residents.models import Resident

SHARE = 0.03
ADULT_AGE = 18
TEAMS_PER_COMMUNITY = 3
TEAM_SIZE = 8
DAYS_AGO = 20
CHECK_IN_SHARE = 0.75
EMPLOYERS = (
    "区财政局",
    "区教育局",
    "区卫健委",
    "区应急管理局",
    "区住建局",
    "区税务局",
    "区人民医院",
    "区供电公司",
    "区市场监管局",
    "区自然资源局",
)
SKILLS = ("急救", "驾驶", "电工", "心理疏导", "法律咨询", "水电维修", "外语", "宣传", "医护")
DEMO_MEMBERS = ("demo-volunteer", "demo-resident")


class EmergencyGenerator:
    def __init__(self, seed: int = 1):
        self.random = random.Random(seed)
        self.now = timezone.now()

    def run(self) -> dict:
        with held_delivery():
            with transaction.atomic():
                registrations = self._registrations()
                teams = self._teams()
            emergency = self._past_emergency()
        deliver_inbox_in_bulk()
        return {"registrations": registrations, "teams": teams, **emergency}

    def _registrations(self) -> int:
        pick = self.random
        adults = Resident.objects.filter(
            birth_year__lte=self.now.year - ADULT_AGE, household__grid__isnull=False
        ).values_list("pk", "name", "phone", "household__grid_id", "user_id")
        rows, phones = [], set()
        demo = dict(User.objects.filter(username__in=DEMO_MEMBERS).values_list("pk", "username"))
        for pk, name, phone, grid_id, user_id in adults.order_by("pk").iterator():
            own = user_id in demo
            if not own and pick.random() >= SHARE:
                continue
            phone = phone or f"139{pk:08d}"[-11:]
            if phone in phones:
                continue
            phones.add(phone)
            rows.append(
                Registration(
                    user_id=user_id if own else None,
                    name=name,
                    phone=phone,
                    employer=pick.choice(EMPLOYERS),
                    home_grid_id=grid_id,
                    skills=pick.sample(SKILLS, pick.randint(0, 2)),
                    kind=RegistrationKind.CADRE
                    if pick.random() < 0.2
                    else RegistrationKind.PARTY_MEMBER,
                    registered_at=self.now - timedelta(days=pick.randint(30, 700)),
                )
            )
        Registration.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    def _teams(self) -> int:
        kinds = team_kinds()
        by_community: dict[int, list[int]] = {}
        for pk, community_id in Registration.objects.values_list("pk", "home_grid__parent_id"):
            by_community.setdefault(community_id, []).append(pk)
        communities = OrgNode.objects.filter(pk__in=by_community).order_by("code")
        count = 0
        for index, community in enumerate(communities):
            members = by_community[community.pk]
            for n in range(TEAMS_PER_COMMUNITY):
                kind = kinds[(index + n) % len(kinds)]
                team = Team.objects.create(
                    node=community, kind=kind, name=f"{community.name}{kind}"
                )
                team.members.set(self.random.sample(members, min(TEAM_SIZE, len(members))))
                count += 1
        return count

    def _past_emergency(self) -> dict:
        secretary = User.objects.get(username="demo-community")
        community = secretary.assignments.select_related("node").get().node
        start = (self.now - timedelta(days=DAYS_AGO)).replace(hour=14, minute=0, second=0)
        activation = do_switch_on(
            actor=secretary,
            node_code=community.code,
            reason="台风橙色预警，启动防台风应急响应（演示数据）",
            at=start,
        )
        callups = list(activation.callups.select_related("registration__user", "grid"))
        grids = sorted({c.grid.code for c in callups})
        for i, code in enumerate(grids):
            do_give_task(
                activation.pk,
                actor=secretary,
                title=self.random.choice(
                    ("排查低洼地带住户", "转移危房群众", "巡查河道水位", "清理排水口")
                ),
                grid_code=code,
                place="网格内",
                due_at=start + timedelta(hours=2),
                at=start + timedelta(minutes=20 + i),
            )
        checked = 0
        for callup in callups:
            if self.random.random() >= CHECK_IN_SHARE:
                continue
            member = callup.registration.user
            actor = member if member is not None and self.random.random() < 0.5 else secretary
            do_check_in(
                callup.pk, actor=actor, at=start + timedelta(minutes=self.random.randint(15, 90))
            )
            checked += 1
        do_end_emergency(
            activation.pk,
            actor=secretary,
            version=activation.version,
            note="预警解除，恢复平时",
            at=start + timedelta(hours=19),
        )
        return {"callups": len(callups), "checked_in": checked, "tasks": len(grids)}
