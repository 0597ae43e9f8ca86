"""Everything that happens to a patrol, each in one transaction with its timeline row:
start (creation), end and cancel (the workflow engine, ``PATROLS``), a batch of track
points, a finding. Views, the API and the demo generator call these; nothing else writes
a patrol.

Times: every action takes the phone's ``offline_at`` when a queued form carries one
(``idempotency.offline.field_time``, corrected by ``offline_sent_at``), so a patrol ended
offline at 10:00 and sent at 14:00 ends at 10:00.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.actions import Report, do_create_case
from cases.models import PhotoKind
from cases.photos import add_photos
from gridgov import workflow
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from idempotency.offline import field_time
from org.models import Household, OrgNode
from org.permissions import codes_with, has, restrict
from outbox.notify import notify
from patrol import track
from patrol.models.patrols import (
    Finding,
    FindingKind,
    Patrol,
    PatrolEvent,
    PatrolStatus,
    TrackChunk,
)
from patrol.transitions_patrol import ACTION_NAMES, TABLE
from presets.loader import PresetError, active_section

VERB = "patrol.patrol"
CASE_CHANNEL = "patrol"  # 巡查发现 (cases.config.PLATFORM_CHANNELS)
# 人房地事物 as the presets write them (荣成 「全面收集“人、房、地、事、物”等基础信息」).
COLLECT_KINDS = {
    "人": FindingKind.PEOPLE,
    "房": FindingKind.HOUSES,
    "地": FindingKind.PLACES,
    "事": FindingKind.EVENTS,
    "物": FindingKind.OBJECTS,
}
# Platform default when a preset names none: all five.
DEFAULT_COLLECTS = list(COLLECT_KINDS.values())
MAX_TEXT = 2000
# A phone's clock against ours for track points and a finding just after the end.
SKEW = timedelta(minutes=1)


def collected_kinds() -> list[str]:
    """The base-information kinds a patrol collects: the preset's ``[patrol].collects``
    mapped to ``FindingKind`` values, the five of 人房地事物 when it names none."""
    try:
        collects = active_section("patrol").collects
    except PresetError:
        collects = ()
    kinds = [COLLECT_KINDS[c] for c in collects if c in COLLECT_KINDS]
    return kinds or list(DEFAULT_COLLECTS)


def patrol_grids(user):
    """The grids where ``user`` patrols (holds ``patrol.patrol``), by code."""
    return restrict(OrgNode.objects.exclude(grid_kind=""), user, VERB).order_by("code")


def open_patrol(user) -> Patrol | None:
    return (
        Patrol.objects.filter(worker=user, status=PatrolStatus.ON_PATROL)
        .select_related("grid")
        .first()
    )


def _open_conflict(patrol: Patrol) -> Conflict:
    local = timezone.localtime(patrol.started_at)
    return Conflict(
        f"您已有一次巡查正在进行（{patrol.grid.name}，{local:%m-%d %H:%M} 开始），请先结束它",
        code="patrol_open",
    )


def do_start_patrol(*, actor, grid_code: str = "", offline_at=None, offline_sent_at=None) -> Patrol:
    """Open a patrol of ``actor`` in one of their grids (``grid_code``; may be left out
    when they patrol exactly one). 403 without ``patrol.patrol`` there; 409
    ``patrol_open`` while another patrol of theirs is open; 400 for an unknown grid or
    no grid chosen among several."""
    if codes_with(actor, VERB) == []:
        raise NotPermitted("您没有巡查的职责")
    grid_code = (grid_code or "").strip()
    if grid_code:
        grid = OrgNode.objects.filter(code=grid_code).exclude(grid_kind="").first()
        if grid is None:
            raise InvalidInput("没有这个网格", errors={"grid_code": ["没有这个网格"]})
        if not has(actor, VERB, grid.code):
            raise NotPermitted("您不能在这个网格巡查")
    else:
        grids = list(patrol_grids(actor)[:2])
        if len(grids) != 1:
            raise InvalidInput("请选择巡查的网格", errors={"grid_code": ["请选择网格"]})
        grid = grids[0]
    when, note = field_time(offline_at, offline_sent_at)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(worker=actor, grid=grid, started_at=when)
            PatrolEvent.objects.create(
                patrol=patrol,
                action="start",
                actor=actor,
                at=when,
                to_status=patrol.status,
                note=note,
                data={"offline": bool(offline_at)},
            )
    except IntegrityError:
        # The partial unique index: another patrol of this worker is open.
        existing = open_patrol(actor)
        if existing is None:
            raise
        raise _open_conflict(existing) from None
    return patrol


# -- end and cancel: the workflow engine ---------------------------------------------------


def _close(step: workflow.Step):
    patrol = step.obj
    note = step.data.get("time_note", "")
    # A time before the start (a phone's clock) ends the patrol where it began.
    step.set(ended_at=max(step.now, patrol.started_at))
    step.note = note
    if step.data.get("action") == "end":
        step.event_data = {"hours": round(hours_of(patrol), 2)}


class PatrolWorkflow(workflow.Workflow):
    model = Patrol
    event_model = PatrolEvent
    subject_field = "patrol"
    table = TABLE
    handlers = {"end": _close, "cancel": _close}
    names = ACTION_NAMES
    noun = "巡查"
    select_related = ("grid",)

    def holds(self, actor, patrol, relation, action, context):
        return relation == "worker" and actor.is_authenticated and patrol.worker_id == actor.pk

    def notify(self, patrol, event, users, title, body, at):
        notify(patrol, event, users, title, body, at=at)

    def refuse_transition(self, patrol, action):
        raise Conflict(
            f"这次巡查{patrol.get_status_display()}，不能{ACTION_NAMES[action]}",
            code="invalid_transition",
        )


PATROLS = PatrolWorkflow()


def do_patrol_action(
    pk: int, action: str, *, actor, version=None, offline_at=None, offline_sent_at=None
) -> Patrol:
    """End or cancel a patrol (``PATROLS.apply``) at the time ``offline_at`` gives, or now:
    403 for anyone but its worker, 409 when it is no longer open or ``version`` is stale."""
    when, note = field_time(offline_at, offline_sent_at)
    data = {"time_note": note, "action": action}
    return PATROLS.apply(pk, action, actor=actor, version=version, data=data, at=when)


def allowed_actions(user, patrol: Patrol) -> list[str]:
    return PATROLS.allowed_actions(user, patrol)


# Hours an open patrol counts for at most: a patrol left open overnight is not 20 hours'
# work (the standard is hours a day; the longest in the seeds is 4).
MAX_PATROL_HOURS = 12


def effective_end(started_at, ended_at, now=None):
    """When a patrol stops counting: its end, or now while open, capped at
    ``MAX_PATROL_HOURS`` after its start."""
    end = ended_at or (now or timezone.now())
    return max(started_at, min(end, started_at + timedelta(hours=MAX_PATROL_HOURS)))


def hours_of(patrol: Patrol, now=None) -> float:
    """A patrol's length in hours (0 when cancelled)."""
    if patrol.status == PatrolStatus.CANCELLED:
        return 0.0
    end = effective_end(patrol.started_at, patrol.ended_at, now)
    return (end - patrol.started_at).total_seconds() / 3600


# -- the track ---------------------------------------------------------------------------------


def _locked_own(pk: int, actor) -> Patrol:
    patrol = Patrol.objects.select_for_update(of=("self",)).select_related("grid").get(pk=pk)
    if patrol.worker_id != actor.pk:
        raise NotPermitted("只有巡查人本人可以记录这次巡查")
    if patrol.status == PatrolStatus.CANCELLED:
        raise Conflict("这次巡查已取消", code="invalid_transition")
    return patrol


@transaction.atomic
def do_add_points(pk: int, raw_points, *, actor) -> dict:
    """Add a batch of track points to the patrol ``pk``.

    Kept: points from its start (a minute's skew allowed) to its end (or now), newer than
    the last point kept (a batch sent twice adds nothing). A point outside the grid's
    outline is kept and flags the patrol (``left_grid_count``, ``left_grid_at``; the first
    one writes ``left_grid`` on the timeline, with no actor: the system read it from the
    track, the worker did nothing, so the timeline shows 系统). Returns ``{"accepted", "ignored",
    "outside", "point_count", "left_grid_count", "left_grid_at", "distance_m"}``
    (``left_grid_at``: an aware datetime or None). 400 for bad points, 403 for anyone but
    its worker, 409 for a cancelled patrol."""
    points = track.parse_points(raw_points)
    patrol = _locked_own(pk, actor)
    now = timezone.now()
    low = (patrol.started_at - SKEW).timestamp()
    high = ((patrol.ended_at or now) + SKEW).timestamp()
    if patrol.last_point_at is not None:
        low = max(low, patrol.last_point_at.timestamp() + 0.5)
    kept = [p for p in points if low <= p[0] <= high]
    result = {"accepted": len(kept), "ignored": len(points) - len(kept), "outside": 0}
    if kept:
        flags = track.outside(track.outline(patrol.grid), kept)
        out = sum(flags)
        result["outside"] = out
        start = (patrol.last_lat, patrol.last_lng) if patrol.last_lat is not None else None
        TrackChunk.objects.create(
            patrol=patrol,
            first_at=track.moment(kept[0][0]),
            last_at=track.moment(kept[-1][0]),
            count=len(kept),
            outside=out,
            points=track.compact(kept),
        )
        last = kept[-1]
        patrol.point_count += len(kept)
        patrol.distance_m += round(track.walked(kept, start))
        patrol.last_lat, patrol.last_lng = last[1], last[2]
        patrol.last_point_at = track.moment(last[0])
        fields = ["point_count", "distance_m", "last_lat", "last_lng", "last_point_at"]
        if out:
            first_out = track.moment(next(p[0] for p, f in zip(kept, flags, strict=True) if f))
            patrol.left_grid_count += out
            fields.append("left_grid_count")
            if patrol.left_grid_at is None:
                patrol.left_grid_at = first_out
                fields.append("left_grid_at")
                PatrolEvent.objects.create(
                    patrol=patrol,
                    action="left_grid",
                    actor=None,  # detected from the track, not done by the worker
                    at=first_out,
                    from_status=patrol.status,
                    to_status=patrol.status,
                    note="轨迹离开了网格范围",
                )
        patrol.save(update_fields=fields)
    result.update(
        point_count=patrol.point_count,
        left_grid_count=patrol.left_grid_count,
        left_grid_at=patrol.left_grid_at,
        distance_m=patrol.distance_m,
    )
    return result


def track_points(patrol: Patrol) -> list[list]:
    """The whole track, ``[[unix s, lat, lng, accuracy], …]`` in time order."""
    points: list[list] = []
    for chunk in patrol.chunks.order_by("first_at", "pk").values_list("points", flat=True):
        points.extend(chunk)
    return points


# -- findings ------------------------------------------------------------------------------------


def _location(lat, lng) -> tuple[float | None, float | None]:
    """A finding's (lat, lng), both or neither; 400 when out of range or not numbers."""
    if lat in (None, ""):
        return None, None
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        lat = lng = float("nan")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):  # NaN fails too
        raise InvalidInput("位置的经纬度无效", errors={"location": ["超出范围或不是数字"]})
    return lat, lng


def do_report_finding(
    pk: int,
    *,
    actor,
    kind: str,
    text: str,
    title: str = "",
    lat=None,
    lng=None,
    household_code: str = "",
    category_code: str = "",
    offline_at=None,
    offline_sent_at=None,
    photos=(),
) -> Finding:
    """Record what the worker found on the patrol ``pk``.

    ``kind="problem"``: a case through ``cases.actions.do_create_case`` (channel
    ``patrol``, in the patrol's grid, at the point given or the track's last point, with
    ``photos`` as its report photos), linked as ``Finding.case``. Any other kind is one
    of the preset's 人房地事物 (``collected_kinds``): an update of base information,
    kept as the finding (optionally about a household of the grid). Written on the
    patrol's timeline either way. 400 for bad input (kind, empty text, a household not in
    the grid), 403 for anyone but its worker, 409 for a cancelled patrol or a finding
    after the patrol's end."""
    text = (text or "").strip()
    if kind != FindingKind.PROBLEM and kind not in collected_kinds():
        names = "、".join([FindingKind.PROBLEM, *collected_kinds()])
        raise InvalidInput(f"类型须为 {names} 之一", errors={"kind": ["无效的类型"]})
    if not text:
        raise InvalidInput("请填写发现的情况", errors={"text": ["不能为空"]})
    if (lat in (None, "")) != (lng in (None, "")):
        raise InvalidInput("经度和纬度要一起提供", errors={"location": ["lng 和 lat 缺一"]})
    lat, lng = _location(lat, lng)
    when, note = field_time(offline_at, offline_sent_at)
    with transaction.atomic():
        patrol = _locked_own(pk, actor)
        if patrol.ended_at is not None and when > patrol.ended_at + SKEW:
            raise Conflict("这次巡查已结束，不能再记录发现", code="invalid_transition")
        if lat is None and patrol.last_lat is not None:
            lat, lng = patrol.last_lat, patrol.last_lng
        household = None
        if household_code:
            household = Household.objects.filter(
                grid=patrol.grid, code=household_code.strip()
            ).first()
            if household is None:
                raise InvalidInput("本网格没有这一户", errors={"household": ["不在本网格"]})
        case = None
        if kind == FindingKind.PROBLEM:
            first_line = (title or "").strip() or text.splitlines()[0]
            case = do_create_case(
                Report(
                    title=first_line[:60],
                    description=text[:MAX_TEXT],
                    channel=CASE_CHANNEL,
                    lng=lng,
                    lat=lat,
                    grid_code=patrol.grid.code,
                    category_code=category_code or None,
                    extra={"patrol": patrol.pk},
                ),
                actor=actor,
                at=when,
            )
            if photos:
                add_photos(case, list(photos), PhotoKind.REPORT)
        finding = Finding.objects.create(
            patrol=patrol,
            kind=kind,
            text=text[:MAX_TEXT],
            case=case,
            household=household,
            building=household.building if household else None,
            lat=lat,
            lng=lng,
            found_at=when,
            created_by=actor,
            time_note=note,
        )
        data = {"finding": finding.pk, "kind": kind}
        if case is not None:
            data.update(case=case.pk, number=case.number)
        PatrolEvent.objects.create(
            patrol=patrol,
            action="finding",
            actor=actor,
            at=when,
            from_status=patrol.status,
            to_status=patrol.status,
            note=" ".join(filter(None, [text[:200], note])),
            data=data,
        )
    return finding
