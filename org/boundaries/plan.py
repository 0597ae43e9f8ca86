"""Matching a file's features to the nodes of one level, and what an import would change.

``plan_boundaries(source, nodes, match=…, prop=…)`` → ``Plan``:

- ``nodes``: the candidates, a queryset of ``OrgNode`` at the chosen level, inside the
  chosen parent and the importing user's scope (the caller narrows it);
- ``match``: ``"code"`` — the feature's property equals the node's code, or its 12-digit
  right-padded form (统计用区划代码 350102000000 for 350102); ``"name"`` — equals the
  node's name, which must be unique among the candidates (within the chosen parent);
- ``prop``: the property to read; blank → the first of ``MATCH_PROPERTIES[match]`` the file
  has (DataV's ``adcode``/``name``, Chinese shapefiles' ``XZQDM``/``XZQMC``…).

``Plan.report`` is JSON: ``counts`` and the lists ``matched``, ``repaired``, ``refused``,
``unmatched`` (features, each with ``feature`` = its 1-based index and ``label``),
``missing`` (candidate nodes no feature matched: they keep their outline) and
``findings`` (``check.family``). ``Plan.updates`` maps node codes to the GeoJSON to write.
"""

import json
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape

from org.boundaries.check import family, repair
from org.boundaries.readers import BoundaryFileError, Source
from org.models import OrgNode

MATCH_PROPERTIES = {
    "code": [
        "adcode",
        "code",
        "CODE",
        "Code",
        "ADCODE",
        "XZQDM",
        "PAC",
        "gb",
        "GB",
        "代码",
        "编码",
    ],
    "name": ["name", "NAME", "Name", "XZQMC", "名称"],
}
STATISTICS_CODE_WIDTH = 12


@dataclass
class Plan:
    updates: dict[str, dict] = field(default_factory=dict)  # code → GeoJSON geometry
    grid_codes: set[str] = field(default_factory=set)  # the updated nodes that are grids
    report: dict = field(default_factory=dict)

    @property
    def touches_grids(self) -> bool:
        return bool(self.grid_codes)


def choose_property(source: Source, match: str, prop: str = "") -> str:
    if match not in MATCH_PROPERTIES:
        raise BoundaryFileError(f"匹配方式只能是 code 或 name, 不是 {match!r}")
    available = source.properties
    if prop:
        if prop not in available:
            raise BoundaryFileError(
                f"要素没有属性「{prop}」; 文件里的属性: {'、'.join(available) or '无'}"
            )
        return prop
    found = next((p for p in MATCH_PROPERTIES[match] if p in available), None)
    if found is None:
        words = "编码" if match == "code" else "名称"
        raise BoundaryFileError(
            f"找不到{words}属性(试过 {'、'.join(MATCH_PROPERTIES[match])}); "
            f"请选择用哪个属性匹配, 文件里的属性: {'、'.join(available) or '无'}"
        )
    return found


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _geojson(geometry) -> dict:
    return json.loads(shapely.to_geojson(geometry))


NOT_FOUND = "平台里没有这个节点（或不在所选上级和您的管辖范围内）"


def plan_boundaries(source: Source, nodes, *, match: str = "code", prop: str = "") -> Plan:
    prop = choose_property(source, match, prop)
    candidates = list(nodes.values_list("code", "name", "parent__code", "grid_kind", "geometry"))
    index: dict[str, list[tuple]] = {}
    for node in candidates:
        if match == "code":
            keys = {node[0]}
            if len(node[0]) < STATISTICS_CODE_WIDTH:
                keys.add(node[0].ljust(STATISTICS_CODE_WIDTH, "0"))
        else:
            keys = {node[1].strip()}
        for key in keys:
            index.setdefault(key, []).append(node)

    plan = Plan()
    lists = {key: [] for key in ("matched", "repaired", "refused", "unmatched")}
    taken: dict[str, int] = {}
    new = []
    for feature in source.features:
        entry = {"feature": feature.index, "label": feature.label}
        value = _value(feature.properties.get(prop))
        found = index.get(value, []) if value else []
        if not value:
            lists["unmatched"].append({**entry, "value": "", "reason": f"没有属性「{prop}」的值"})
            continue
        if not found:
            lists["unmatched"].append(
                {
                    **entry,
                    "value": value,
                    "reason": "平台里没有这个节点（或不在所选上级和您的管辖范围内）",
                }
            )
            continue
        if len(found) > 1:
            codes = "、".join(sorted(n[0] for n in found))
            lists["unmatched"].append(
                {**entry, "value": value, "reason": f"名称不唯一, 有 {len(found)} 个节点: {codes}"}
            )
            continue
        code, name, parent_code, grid_kind, _ = found[0]
        entry.update(code=code, name=name)
        if code in taken:
            lists["refused"].append({**entry, "reason": f"与 #{taken[code]} 匹配到同一节点"})
            continue
        taken[code] = feature.index
        if feature.error:
            lists["refused"].append({**entry, "reason": feature.error})
            continue
        fixed = repair(feature.geometry)
        if fixed.geometry is None:
            lists["refused"].append({**entry, "reason": fixed.refused})
            continue
        if fixed.problem:
            lists["repaired"].append({**entry, "problem": fixed.problem})
        lists["matched"].append(
            {**entry, "type": fixed.geometry.geom_type, "repaired": bool(fixed.problem)}
        )
        plan.updates[code] = _geojson(fixed.geometry)
        if grid_kind:
            plan.grid_codes.add(code)
        new.append((code, name, parent_code, fixed.geometry))

    missing = [{"code": code, "name": name} for code, name, *_ in candidates if code not in taken]
    plan.report = {
        "format": source.format,
        "encoding": source.encoding,
        "notes": source.notes,
        "match": match,
        "property": prop,
        "properties": source.properties,
        **lists,
        "missing": missing,
        "findings": _findings(new, candidates),
    }
    plan.report["counts"] = {
        "features": len(source.features),
        **{key: len(value) for key, value in lists.items()},
        "missing": len(missing),
        "findings": len(plan.report["findings"]),
    }
    return plan


def _findings(new, candidates) -> list[dict]:
    if not new:
        return []
    new_codes = {code for code, *_ in new}
    parent_codes = {parent for *_, parent, _ in new if parent}
    parents = {
        code: (name, shape(geometry))
        for code, name, geometry in OrgNode.objects.filter(code__in=parent_codes)
        .exclude(geometry=None)
        .values_list("code", "name", "geometry")
    }
    siblings = [
        (code, name, parent, shape(geometry))
        for code, name, parent, _, geometry in candidates
        if code not in new_codes and geometry and parent in parent_codes
    ]
    children = [
        (code, name, parent, shape(geometry))
        for code, name, parent, geometry in OrgNode.objects.filter(parent__code__in=new_codes)
        .exclude(geometry=None)
        .values_list("code", "name", "parent__code", "geometry")
    ]
    return family(new, parents, siblings, children)
