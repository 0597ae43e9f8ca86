"""A month of patrols for the demo city: most days for each grid worker, a few workers
below the standard, tracks of a few dozen points inside their grid (a few leaving it),
findings of 人房地事物 and some problems filed as patrol cases across the catalogue's
groups.

Patrols, their timeline rows (start, end, left_grid, finding: what the real actions
write) and tracks are bulk-inserted; cases go through ``cases.actions.do_create_case`` (at
most ``MAX_CASES``, so the county demo stays fast). Deterministic for a seed and ``now``.
"""

import random
from datetime import timedelta
from itertools import cycle

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from cases.actions import Report, do_create_case
from catalog.models import MatterCategory
from org.models import RoleAssignment
from org.permissions import duties_with
from patrol import track
from patrol.models.patrols import (
    Finding,
    FindingKind,
    Patrol,
    PatrolEvent,
    PatrolStatus,
    TrackChunk,
)
from patrol.patrols import CASE_CHANNEL, VERB, collected_kinds
from patrol.standards import day_start, local_day, standard_hours

MAX_CASES = 60
BATCH = 2000
SHARE_PATROLLING = 0.88  # days a worker patrols
SHARE_BELOW = 0.12  # workers who fall short of the standard
SHARE_LEAVING = 0.05  # patrols whose track leaves the grid
SHARE_FINDING = 0.3
SHARE_PROBLEM = 0.25  # of findings

BASE_TEXTS = {
    FindingKind.PEOPLE: ["新搬来一户租户，已登记人员信息", "独居老人近况良好，已更新联系方式"],
    FindingKind.HOUSES: ["一套房屋空置，已更新房屋状态", "出租屋更换租户，已核对"],
    FindingKind.PLACES: ["新开一家小超市，已登记场所", "广场新增健身器材"],
    FindingKind.EVENTS: ["邻里因停车发生口角，已劝解", "小区周末有义诊活动"],
    FindingKind.OBJECTS: ["消防栓位置已核对", "新装两处监控探头"],
}
PROBLEMS = [
    ("路灯不亮", "巡查发现路边路灯不亮"),
    ("井盖缺失", "人行道井盖缺失，存在安全隐患"),
    ("垃圾堆放", "楼道口垃圾堆放未清运"),
    ("占道经营", "路口有流动摊贩占道经营"),
    ("墙体开裂", "老旧楼房外墙开裂"),
    ("私拉电线", "楼下私拉电线给电动车充电"),
]


class PatrolGenerator:
    def __init__(self, *, seed: int = 1, days: int = 30, now=None):
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.days = days
        self.now = now or timezone.now()
        self.standard = standard_hours()

    def seats(self):
        """(user, grid) of each person patrolling a grid, once per person: the grids'
        full-time workers (duty ``grid_worker``) where the preset has them (the demo stays
        fast on a county), else everyone holding ``patrol.patrol`` at a grid."""
        duties = ["grid_worker"] if "grid_worker" in duties_with(VERB) else duties_with(VERB)
        seats = (
            RoleAssignment.objects.filter(
                role__duty__in=duties, department=None, node__geometry__isnull=False
            )
            .exclude(node__grid_kind="")
            .select_related("user", "node")
            .order_by("node__code", "user__username")
        )
        seen, result = set(), []
        for seat in seats:
            if seat.user_id not in seen:
                seen.add(seat.user_id)
                result.append((seat.user, seat.node))
        return result

    def _inside(self, geometry, n: int) -> np.ndarray:
        """``n`` random (lng, lat) points inside ``geometry``, in a loop around it."""
        minx, miny, maxx, maxy = geometry.bounds
        found = np.empty((0, 2))
        while len(found) < n:
            xy = self.np_rng.uniform((minx, miny), (maxx, maxy), size=(n * 3, 2))
            found = np.vstack([found, xy[shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])]])
        found = found[:n]
        centre = found.mean(axis=0)
        return found[np.argsort(np.arctan2(found[:, 1] - centre[1], found[:, 0] - centre[0]))]

    def run(self) -> dict:
        seats = self.seats()
        today = local_day(self.now)
        kinds = collected_kinds()
        patrols, tracks = [], []
        with transaction.atomic():
            for user, grid in seats:
                geometry = shape(grid.geometry)
                shapely.prepare(geometry)
                below = self.rng.random() < SHARE_BELOW
                for back in range(self.days, -1, -1):  # today too, if already over
                    if self.rng.random() > SHARE_PATROLLING:
                        continue
                    day = today - timedelta(days=back)
                    start = day_start(day) + timedelta(minutes=self.rng.randint(8 * 60, 10 * 60))
                    hours = (
                        self.rng.uniform(0.4, self.standard * 0.8)
                        if below
                        else self.standard + self.rng.uniform(0.1, 1.2)
                    )
                    end = start + timedelta(hours=hours)
                    if end > self.now:
                        continue
                    xy = self._inside(geometry, self.rng.randint(20, 40))
                    if self.rng.random() < SHARE_LEAVING:
                        width = geometry.bounds[2] - geometry.bounds[0]
                        xy[-3:, 0] = geometry.bounds[2] + width * 0.3
                    step = (end - start).total_seconds() / len(xy)
                    points = [
                        (start.timestamp() + i * step, float(lat), float(lng), 10.0)
                        for i, (lng, lat) in enumerate(xy)
                    ]
                    flags = track.outside(geometry, points)
                    out = sum(flags)
                    first_out = next((p[0] for p, f in zip(points, flags, strict=True) if f), None)
                    patrols.append(
                        Patrol(
                            worker=user,
                            grid=grid,
                            started_at=start,
                            ended_at=end,
                            status=PatrolStatus.ENDED,
                            version=2,
                            point_count=len(points),
                            distance_m=round(track.walked(points)),
                            last_lat=points[-1][1],
                            last_lng=points[-1][2],
                            last_point_at=track.moment(points[-1][0]),
                            left_grid_count=out,
                            left_grid_at=track.moment(first_out) if first_out else None,
                        )
                    )
                    tracks.append((points, out))
            Patrol.objects.bulk_create(patrols, batch_size=BATCH)
            events, chunks = [], []
            for patrol, (points, out) in zip(patrols, tracks, strict=True):
                events.append(
                    self._event(patrol, "start", patrol.started_at, "", PatrolStatus.ON_PATROL)
                )
                if out:
                    events.append(
                        self._event(
                            patrol,
                            "left_grid",
                            patrol.left_grid_at,
                            PatrolStatus.ON_PATROL,
                            PatrolStatus.ON_PATROL,
                            "轨迹离开了网格范围",
                        )
                    )
                hours = (patrol.ended_at - patrol.started_at).total_seconds() / 3600
                events.append(
                    self._event(
                        patrol,
                        "end",
                        patrol.ended_at,
                        PatrolStatus.ON_PATROL,
                        PatrolStatus.ENDED,
                        data={"hours": round(hours, 2)},
                    )
                )
                chunks.append(
                    TrackChunk(
                        patrol=patrol,
                        first_at=track.moment(points[0][0]),
                        last_at=track.moment(points[-1][0]),
                        count=len(points),
                        outside=out,
                        points=track.compact(points),
                    )
                )
            TrackChunk.objects.bulk_create(chunks, batch_size=BATCH)
            findings, cases = self._findings(patrols, kinds, events)
            PatrolEvent.objects.bulk_create(events, batch_size=BATCH)
        return {
            "workers": len(seats),
            "patrols": len(patrols),
            "points": sum(len(p) for p, _ in tracks),
            "left_grid": sum(1 for _, out in tracks if out),
            "findings": findings,
            "cases": cases,
        }

    @staticmethod
    def _event(patrol, action, at, from_status, to_status, note="", data=None):
        return PatrolEvent(
            patrol=patrol,
            action=action,
            # Leaving the grid is read from the track (patrol.patrols.do_add_points): no actor.
            actor=None if action == "left_grid" else patrol.worker,
            at=at,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data or {},
        )

    def _findings(self, patrols, kinds, events) -> tuple[int, int]:
        by_group: dict[str, list] = {}
        for category in MatterCategory.objects.filter(is_active=True).order_by("group", "code"):
            by_group.setdefault(category.group, []).append(category)
        groups = list(by_group.values())
        categories = cycle([self.rng.choice(items) for items in groups] or [None])
        chosen = [p for p in patrols if self.rng.random() < SHARE_FINDING]
        problems = [p for p in chosen if self.rng.random() < SHARE_PROBLEM][:MAX_CASES]
        problem_ids = {id(p) for p in problems}
        rows, cases = [], 0
        for patrol in chosen:
            span = (patrol.ended_at - patrol.started_at).total_seconds()
            at = patrol.started_at + timedelta(seconds=self.rng.uniform(0.1, 0.9) * span)
            case = None
            if id(patrol) in problem_ids:
                title, text = self.rng.choice(PROBLEMS)
                category = next(categories)
                case = do_create_case(
                    Report(
                        title=title,
                        description=text,
                        channel=CASE_CHANNEL,
                        lng=patrol.last_lng,
                        lat=patrol.last_lat,
                        grid_code=patrol.grid.code,
                        category_code=category.code if category else None,
                        extra={"patrol": patrol.pk},
                    ),
                    actor=patrol.worker,
                    at=at,
                )
                cases += 1
                kind = FindingKind.PROBLEM
            else:
                kind = self.rng.choice(kinds)
                text = self.rng.choice(BASE_TEXTS[kind])
            rows.append(
                Finding(
                    patrol=patrol,
                    kind=kind,
                    text=text,
                    case=case,
                    lat=patrol.last_lat,
                    lng=patrol.last_lng,
                    found_at=at,
                    created_by=patrol.worker,
                )
            )
        Finding.objects.bulk_create(rows, batch_size=BATCH)
        for finding in rows:
            data = {"finding": finding.pk, "kind": finding.kind}
            if finding.case is not None:
                data.update(case=finding.case.pk, number=finding.case.number)
            events.append(
                self._event(
                    finding.patrol,
                    "finding",
                    finding.found_at,
                    PatrolStatus.ENDED,
                    PatrolStatus.ENDED,
                    finding.text[:200],
                    data,
                )
            )
        return len(rows), cases
