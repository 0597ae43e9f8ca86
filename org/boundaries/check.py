"""Repairing one polygon, and checking children against their parent.

``repair(geometry)`` → ``Repair``: the polygonal geometry to keep, what was wrong
(``shapely.validation.explain_validity``, in Chinese with GEOS's own words after it), or
why it is refused (not a polygon; nothing polygonal left after ``make_valid``).

``family(...)`` → a list of findings, each a dict ``{kind, code, name, other, other_name,
share}`` (``share`` in per cent): a child outside its parent (``outside``: the share of the
child's area beyond the parent), a parent not covered by its children (``gap``: the share
of the parent's area), two siblings overlapping (``overlap``: the share of the smaller
one's area), and an existing child outside a new outline (``child_outside``). Shares under
``TOLERANCE`` are not findings: outlines drawn separately never share edges exactly.
Findings are reported, never refused (the parent's own outline may be the older one).
Areas are in square degrees: only their ratios are used, and over a city they hold.
"""

from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity, make_valid

TOLERANCE = 0.01  # 1 % of the area the share is of

# GEOS's reasons (explain_validity) in Chinese; the original words follow in the report.
PROBLEMS = {
    "Ring Self-intersection": "环自相交",
    "Self-intersection": "边自相交",
    "Too few points": "点数太少",
    "Hole lies outside shell": "内环在外环之外",
    "Holes are nested": "内环嵌套",
    "Interior is disconnected": "内部被分割成不连通的几块",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环没有闭合",
}


@dataclass
class Repair:
    geometry: Polygon | MultiPolygon | None
    problem: str = ""  # what was wrong, when it was repaired
    refused: str = ""  # why nothing can be kept


def _polygonal(geometry) -> Polygon | MultiPolygon | None:
    """The polygonal part of a geometry (of make_valid's collection), or None."""
    if geometry is None or geometry.is_empty:
        return None
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons = [
        part
        for part in shapely.get_parts(geometry)
        if isinstance(part, Polygon | MultiPolygon) and not part.is_empty
    ]
    if not polygons:
        return None
    merged = shapely.union_all(polygons)
    return merged if isinstance(merged, Polygon | MultiPolygon) else _polygonal(merged)


def describe(reason: str) -> str:
    words = next((zh for en, zh in PROBLEMS.items() if reason.startswith(en)), "几何无效")
    return f"{words}({reason})"


def repair(geometry) -> Repair:
    if geometry is None or geometry.is_empty:
        return Repair(None, refused="几何为空")
    if not any(isinstance(part, Polygon | MultiPolygon) for part in shapely.get_parts(geometry)):
        return Repair(None, refused=f"不是面({geometry.geom_type})")
    if geometry.is_valid:
        kept = _polygonal(geometry)
        if kept is None or kept.area == 0:
            return Repair(None, refused="面积为零")
        return Repair(kept)
    problem = describe(explain_validity(geometry))
    kept = _polygonal(make_valid(geometry))
    if kept is None or kept.area == 0:
        return Repair(None, refused=f"无法修复: {problem}, 修复后没有面")
    return Repair(kept, problem=problem)


def _share(part: float, whole: float) -> float | None:
    """``part`` as per cent of ``whole`` when it is over the tolerance, else None."""
    if whole <= 0 or part <= TOLERANCE * whole:
        return None
    return round(100 * part / whole, 1)


def _valid(geometry):
    return geometry if geometry.is_valid else (_polygonal(make_valid(geometry)) or geometry)


def family(new, parents, siblings, children) -> list[dict]:
    """Findings for the new outlines ``new`` [(code, name, parent_code, geometry)] against
    their parents {code: (name, geometry)}, the level's other nodes under the same parents
    that keep their outlines ``siblings`` (same shape as ``new``), and the existing children
    of the new outlines ``children`` (same shape, parent_code = the new node)."""
    findings = []
    new_codes = {code for code, *_ in new}
    by_parent: dict[str, list] = {}
    for code, name, parent_code, geometry in [*new, *siblings]:
        by_parent.setdefault(parent_code, []).append((code, name, _valid(geometry)))
    for parent_code, members in sorted(by_parent.items(), key=lambda kv: kv[0] or ""):
        parent_name, parent_geometry = parents.get(parent_code, (None, None))
        if parent_geometry is not None:
            parent_geometry = _valid(parent_geometry)
            for code, name, geometry in members:
                if code not in new_codes:
                    continue
                share = _share(geometry.difference(parent_geometry).area, geometry.area)
                if share:
                    findings.append(
                        _finding("outside", code, name, parent_code, parent_name, share)
                    )
            uncovered = parent_geometry.difference(shapely.union_all([g for *_, g in members]))
            share = _share(uncovered.area, parent_geometry.area)
            if share:
                findings.append(_finding("gap", parent_code, parent_name, None, None, share))
        findings.extend(_overlaps(members, new_codes))
    valid_new = {code: _valid(geometry) for code, _, _, geometry in new}
    for code, name, parent_code, geometry in children:
        outline = valid_new.get(parent_code)
        geometry = _valid(geometry)
        share = outline is not None and _share(geometry.difference(outline).area, geometry.area)
        if share:
            parent_name = next(n for c, n, *_ in new if c == parent_code)
            findings.append(_finding("child_outside", code, name, parent_code, parent_name, share))
    return findings


def _overlaps(members, new_codes) -> list[dict]:
    geometries = [g for *_, g in members]
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    findings = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or not ({members[i][0], members[j][0]} & new_codes):
            continue
        a, b = geometries[i], geometries[j]
        share = _share(a.intersection(b).area, min(a.area, b.area))
        if share:
            findings.append(
                _finding(
                    "overlap", members[i][0], members[i][1], members[j][0], members[j][1], share
                )
            )
    return findings


def _finding(kind, code, name, other, other_name, share) -> dict:
    return {
        "kind": kind,
        "code": code,
        "name": name,
        "other": other,
        "other_name": other_name,
        "share": share,
    }
