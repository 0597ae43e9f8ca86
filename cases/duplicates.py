"""Possible duplicates: an open case of the same category close by and close in time —
before or after, since orders do not arrive in the order they were received (a hotline
pushes the 10:00 order before the 09:30 one)."""

import math
from datetime import timedelta

from cases.config import case_settings
from cases.models import OPEN_STATUSES, Case

EARTH_RADIUS_M = 6_371_000


def distance_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_possible_duplicate(case: Case) -> Case | None:
    if case.category_id is None or case.lng is None or case.lat is None:
        return None
    settings = case_settings()
    radius = settings["duplicate_radius_m"]
    window = timedelta(hours=settings["duplicate_hours"])
    # A bounding box on the indexed columns first, the exact distance after.
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(0.01, math.cos(math.radians(case.lat))))
    candidates = (
        Case.objects.filter(
            category_id=case.category_id,
            status__in=OPEN_STATUSES,
            created_at__gte=case.created_at - window,
            created_at__lte=case.created_at + window,
            lng__range=(case.lng - dlng, case.lng + dlng),
            lat__range=(case.lat - dlat, case.lat + dlat),
            merged_into=None,
        )
        .exclude(pk=case.pk)
        .order_by("created_at")
        .values_list("pk", "lng", "lat")
    )
    # The earliest match wins: read positions only, in small chunks, until one is close
    # enough (a busy corner may hold hundreds of open cases).
    for pk, lng, lat in candidates.iterator(chunk_size=50):
        if distance_m(case.lng, case.lat, lng, lat) <= radius:
            return Case.objects.get(pk=pk)
    return None


def flag_possible_duplicate(case: Case) -> Case | None:
    """Flag the later of ``case`` and its earliest close match as a possible duplicate of
    the earlier one (a match received after ``case`` but filed before it is the one
    flagged, unless it is flagged already). Returns the match, or None."""
    match = find_possible_duplicate(case)
    if match is None:
        return None
    if (match.created_at, match.pk) <= (case.created_at, case.pk):
        case.possible_duplicate_of = match
        case.save(update_fields=["possible_duplicate_of"])
    elif match.possible_duplicate_of_id is None:
        match.possible_duplicate_of = case
        match.save(update_fields=["possible_duplicate_of"])
    return match
