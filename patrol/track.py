"""A patrol's GPS track: checking a batch of points from the phone, telling which lie
outside the grid's outline, and measuring the walk.

Points are ``(t, lat, lng, accuracy)`` with ``t`` in unix seconds and ``accuracy`` in
metres (None when the phone gave none). The outline is the grid's GeoJSON
(``OrgNode.geometry``, lng/lat), tested with shapely; a point on the edge is inside.
"""

from datetime import UTC, datetime
from math import asin, cos, radians, sin, sqrt

import shapely
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from shapely.geometry import shape

from gridgov.errors import InvalidInput

# Points per batch: a phone sends every minute or so; an offline phone its whole backlog
# (4 h at one point every 15 s is 960).
MAX_BATCH = 1000
# A point's accuracy worse than this says nothing about where the worker was.
MAX_ACCURACY_M = 5000
EARTH_RADIUS_M = 6_371_000


def _bad(index: int, reason: str) -> InvalidInput:
    message = f"第 {index + 1} 个轨迹点{reason}"
    return InvalidInput(message, errors={"points": [message]})


def _time(raw, index: int) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # Unix time: milliseconds as browsers give it, or seconds.
        return float(raw) / 1000 if raw > 1e11 else float(raw)
    if isinstance(raw, str):
        try:
            when = parse_datetime(raw.strip())
        except ValueError:
            when = None
        if when is not None:
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            return when.timestamp()
    raise _bad(index, "的时间 recorded_at 无法识别（ISO 8601 或毫秒时间戳）")


def number_in_range(raw, index: int, name: str, low: float, high: float) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise _bad(index, f"缺少 {name}")
    try:
        value = float(raw)
    except ValueError:
        raise _bad(index, f"的 {name} 不是数字") from None
    if not low <= value <= high:  # NaN fails too
        raise _bad(index, f"的 {name} 超出范围")
    return value


def parse_points(raw) -> list[tuple[float, float, float, float | None]]:
    """``[{"lat", "lng", "accuracy"?, "recorded_at"}, …]`` → points sorted by time.
    Raises InvalidInput (400, in Chinese) naming the first bad point."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("请提供轨迹点列表 points", errors={"points": ["须为非空列表"]})
    if len(raw) > MAX_BATCH:
        raise InvalidInput(
            f"每批最多 {MAX_BATCH} 个轨迹点", errors={"points": [f"最多 {MAX_BATCH} 个"]}
        )
    points = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _bad(index, "须为对象 {lat, lng, accuracy, recorded_at}")
        lat = number_in_range(item.get("lat"), index, "lat", -90, 90)
        lng = number_in_range(item.get("lng"), index, "lng", -180, 180)
        accuracy = item.get("accuracy")
        accuracy = (
            None if accuracy in (None, "") else number_in_range(accuracy, index, "accuracy", 0, 1e6)
        )
        points.append((_time(item.get("recorded_at"), index), lat, lng, accuracy))
    points.sort()
    return points


def outline(grid):
    """The grid's outline as a prepared shapely geometry, or None when it has none."""
    if not grid.geometry:
        return None
    geometry = shape(grid.geometry)
    shapely.prepare(geometry)
    return geometry


def outside(geometry, points) -> list[bool]:
    """Per point, whether it lies outside ``geometry`` (never, without an outline). A point
    too inaccurate to place is not counted as outside."""
    if geometry is None or not points:
        return [False] * len(points)
    lngs = [p[2] for p in points]
    lats = [p[1] for p in points]
    inside = shapely.intersects_xy(geometry, lngs, lats)
    return [
        not bool(hit) and (p[3] is None or p[3] <= MAX_ACCURACY_M)
        for hit, p in zip(inside, points, strict=True)
    ]


def metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    dlat, dlng = radians(lat2 - lat1), radians(lng2 - lng1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(a))


def walked(points, start: tuple[float, float] | None = None) -> float:
    """Metres along ``points`` (from ``start`` (lat, lng) when the track already had one)."""
    total, previous = 0.0, start
    for _t, lat, lng, _acc in points:
        if previous is not None:
            total += metres(previous[0], previous[1], lat, lng)
        previous = (lat, lng)
    return total


def moment(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def compact(points) -> list[list]:
    """The stored form: ``[unix s, lat, lng, accuracy]`` rounded (1 s, ~0.1 m, 1 m)."""
    return [
        [round(t), round(lat, 6), round(lng, 6), None if acc is None else round(acc)]
        for t, lat, lng, acc in points
    ]
