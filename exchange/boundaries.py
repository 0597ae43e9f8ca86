"""Boundary imports: which nodes a user may give outlines to, the plan for a file, and
``do_import_boundaries``, the one write (pages, API and command all call it).

Access: ``org.import_boundaries`` (org.permissions, granted with the city's configuration):
the page, API and command are open to who holds it anywhere; a file only reaches the
nodes in the subtrees where they hold it (others are reported as unmatched), and a chosen
parent must be in them.
"""

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from shapely.errors import GEOSException

from exchange.models import BoundaryImport, BoundaryStatus
from gridgov.bulk import update_rows
from org.boundaries import BoundaryFileError, Plan, plan_boundaries, read_boundaries
from org.codes import subtree_q
from org.models import GridMapVersion, Level, LevelKind, OrgNode
from org.permissions import has, restrict

VERB = "org.import_boundaries"
LEVEL_KINDS = (LevelKind.ADMIN, LevelKind.GRID)


def may_import_boundaries(user) -> bool:
    return user is None or has(user, VERB)


def levels():
    """The levels that take outlines: the administrative ones, the root's included (a
    county-level installation loads its own county's outline), and grids."""
    return Level.objects.filter(kind__in=LEVEL_KINDS).order_by("depth")


def find_level(key: str) -> Level:
    level = levels().filter(key=key).first()
    if level is None:
        known = "、".join(levels().values_list("key", flat=True))
        raise BoundaryFileError(f"没有层级 {key!r}（可选：{known}）")
    return level


def find_parent(user, code: str) -> OrgNode | None:
    if not code:
        return None
    parent = OrgNode.objects.filter(code=code.strip()).first()
    if parent is None or (user is not None and not has(user, VERB, parent.code)):
        raise BoundaryFileError(f"没有上级节点 {code}, 或不在您的管辖范围")
    return parent


def candidates(user, level: Level, parent: OrgNode | None):
    """The nodes of ``level`` a file may give outlines to: under ``parent`` and in scope."""
    nodes = OrgNode.objects.filter(level=level)
    if parent is not None:
        nodes = nodes.filter(subtree_q(parent.code)).exclude(pk=parent.pk)
    return nodes if user is None else restrict(nodes, user, VERB)


def plan_file(
    data: bytes, name: str, *, user, level: str, parent="", match="code", prop="", siblings=None
):
    """Read, match and check a file: (Plan, Level, parent). Raises BoundaryFileError."""
    found_level = find_level(level)
    found_parent = find_parent(user, parent)
    source = read_boundaries(data, name, siblings)
    try:
        plan = plan_boundaries(
            source, candidates(user, found_level, found_parent), match=match, prop=prop
        )
    except GEOSException as error:  # a geometry GEOS cannot compute with, even repaired
        raise BoundaryFileError(f"几何运算失败：{error}") from None
    plan.report.update(level=found_level.key, level_name=found_level.name)
    plan.report["parent"] = found_parent.code if found_parent else ""
    return plan, found_level, found_parent


def _digest(geometry) -> str:
    """A geometry's fingerprint (PostgreSQL's jsonb reorders keys: sorted before hashing)."""
    return hashlib.sha256(json.dumps(geometry, sort_keys=True).encode()).hexdigest()[:16]


def do_import_boundaries(plan: Plan, *, actor, record: BoundaryImport) -> BoundaryImport:
    """Write the plan's outlines, keep the old ones and the report in ``record`` and, when
    grids changed, bump the grid map version, all in one transaction: the point→grid index
    answers with the new grids from the commit on. Applying a record twice does nothing."""
    with transaction.atomic():
        locked = BoundaryImport.objects.select_for_update().filter(pk=record.pk).first()
        if locked is not None and locked.status == BoundaryStatus.APPLIED:
            return locked
        nodes = list(
            OrgNode.objects.select_for_update().filter(code__in=plan.updates).order_by("code")
        )
        now = timezone.now()
        previous = {}
        for node in nodes:
            previous[node.code] = node.geometry
            node.geometry = plan.updates[node.code]
            node.updated_at = now
        # No post_save per node: the grid map is bumped once below.
        update_rows(OrgNode, nodes, ["geometry", "updated_at"])
        if plan.touches_grids:
            GridMapVersion.bump()
            record.map_version = GridMapVersion.current()
        counts = plan.report["counts"]
        record.status = BoundaryStatus.APPLIED
        record.user = actor if actor is not None else record.user
        record.match = plan.report["match"]
        record.match_property = plan.report["property"]
        record.features = counts["features"]
        record.updated = len(nodes)
        record.repaired = counts["repaired"]
        record.refused = counts["refused"]
        record.unmatched = counts["unmatched"]
        # What was written, so an undo can tell a node changed again since.
        record.report = {**plan.report, "written": {n.code: _digest(n.geometry) for n in nodes}}
        record.previous = previous
        record.applied_at = now
        record.save()
    return record


def do_revert_boundary_import(record: BoundaryImport, *, actor) -> BoundaryImport:
    """Undo an applied import: write its ``previous`` outlines back, as a new record whose
    ``reverts`` is ``record`` (and whose own ``previous`` undoes the undo). A node whose
    outline changed again since ``record`` is left alone and listed as ``skipped``: the
    later change is not silently lost. Grids bump the map version, as an import does.
    Raises BoundaryFileError when ``record`` is not applied or was already undone."""
    with transaction.atomic():
        record = BoundaryImport.objects.select_for_update().get(pk=record.pk)
        if record.status != BoundaryStatus.APPLIED or record.reverts_id is not None:
            raise BoundaryFileError("只能撤销已完成的导入")
        if BoundaryImport.objects.filter(reverts=record).exists():
            raise BoundaryFileError("这次导入已经撤销过了")
        written = record.report.get("written") or {}
        nodes = list(
            OrgNode.objects.select_for_update().filter(code__in=record.previous).order_by("code")
        )
        now = timezone.now()
        restored, skipped, previous, grids = [], [], {}, False
        for node in nodes:
            if written and _digest(node.geometry) != written.get(node.code):
                skipped.append({"code": node.code, "name": node.name, "reason": "之后又改过边界"})
                continue
            previous[node.code] = node.geometry
            node.geometry = record.previous[node.code]
            node.updated_at = now
            restored.append({"code": node.code, "name": node.name})
            grids = grids or node.is_grid
        update_rows(OrgNode, [n for n in nodes if n.code in previous], ["geometry", "updated_at"])
        undo = BoundaryImport(
            user=actor,
            source_name=f"撤销 #{record.pk} {record.source_name}"[:300],
            level=record.level,
            parent_code=record.parent_code,
            match=record.match,
            status=BoundaryStatus.APPLIED,
            updated=len(restored),
            report={"reverts": record.pk, "restored": restored, "skipped": skipped},
            previous=previous,
            reverts=record,
            applied_at=now,
        )
        if grids:
            GridMapVersion.bump()
            undo.map_version = GridMapVersion.current()
        undo.save()
    return undo
