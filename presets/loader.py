"""Reading, checking and loading the preset files in presets/data/.

A preset is one seed's model as data: levels, roles, departments, channels,
tiers and deadlines, deliberation steps, reporting rhythm, patrol standards,
credit subjects. ``do_load_preset`` writes the parts the tree needs into their
tables and keeps the whole file in ``PresetRecord`` for the features that
read the rest (``active_preset()``).
"""

import tomllib
from pathlib import Path

from django.db import transaction

from catalog.loader import do_load_catalog
from credit.loader import do_load_credit
from org.models import Level, LevelKind, OrgNode, PartyLevel, Role, RoleKind
from presets.models import PresetRecord
from residents.models import Tag

DATA_DIR = Path(__file__).resolve().parent / "data"
PRESET_KEYS = ("zhangye", "wugong", "jizhou", "rongcheng", "fuzhou")

# Tags every preset shares (the mission's list of vulnerable and key groups).
DEFAULT_TAGS = [
    ("living-alone", "独居", False),
    ("elderly", "高龄", False),
    ("disabled", "残疾", False),
    ("child", "儿童", False),
    ("left-behind", "留守", False),
    ("key-population", "重点人群", True),
    ("party-member", "党员", False),
]


class PresetError(ValueError):
    pass


def available_presets() -> list[str]:
    return sorted(path.stem for path in DATA_DIR.glob("*.toml"))


def read_preset(key: str) -> dict:
    path = DATA_DIR / f"{key}.toml"
    if not path.exists():
        raise PresetError(f"no preset {key!r}; available: {', '.join(available_presets())}")
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    check_preset(data)
    return data


def _require(data: dict, key: str, where: str):
    if key not in data:
        raise PresetError(f"{where}: missing {key!r}")
    return data[key]


def check_preset(data: dict) -> None:
    key = _require(data, "key", "preset")
    for field in ("title", "seed", "region", "levels", "roles", "channels", "tiers"):
        _require(data, field, key)
    levels = data["levels"]
    if not 3 <= len(levels) <= 8:
        raise PresetError(f"{key}: {len(levels)} levels; a preset has 3 to 8")
    kinds = [level["kind"] for level in levels]
    if kinds.count(LevelKind.GRID) != 1:
        raise PresetError(f"{key}: exactly one level must be of kind 'grid'")
    if kinds[0] != LevelKind.ADMIN:
        raise PresetError(f"{key}: the first level must be administrative")
    order = [
        LevelKind.ADMIN,
        LevelKind.GRID,
        LevelKind.BUILDING,
        LevelKind.UNIT,
        LevelKind.HOUSEHOLD,
    ]
    ranks = [order.index(kind) for kind in kinds]
    below_admin = [kind for kind in kinds if kind != LevelKind.ADMIN]
    if ranks != sorted(ranks) or len(set(below_admin)) != len(below_admin):
        raise PresetError(f"{key}: levels must run admin… → grid → building → unit → household")
    region_code = _require(data["region"], "code", f"{key}.region")
    if len(region_code) != levels[0]["code_width"] or not region_code.isdigit():
        raise PresetError(f"{key}: region code {region_code!r} must be the root level's digits")
    level_keys = {level["key"] for level in levels}
    for role in data["roles"]:
        if role["kind"] not in RoleKind.values:
            raise PresetError(f"{key}: role {role['code']} has unknown kind {role['kind']!r}")
        if role.get("level") and role["level"] not in level_keys:
            raise PresetError(f"{key}: role {role['code']} names unknown level {role['level']!r}")
    for party in data.get("party_levels", []):
        if party["org_level"] not in level_keys:
            raise PresetError(f"{key}: party level {party['key']} names unknown level")
    for tier in data["tiers"]:
        deadline = _require(tier, "deadline", f"{key}.tiers.{tier.get('code')}")
        if not ({"hours", "working_days"} & deadline.keys()):
            raise PresetError(f"{key}: tier {tier['code']} needs hours or working_days")


@transaction.atomic
def do_load_preset(key: str) -> PresetRecord:
    """Make ``key`` the active preset. Loading the same preset again changes nothing."""
    data = read_preset(key)
    active = PresetRecord.objects.filter(is_active=True).exclude(key=key).first()
    if active is not None and OrgNode.objects.exists():
        raise PresetError(
            f"preset {active.key!r} already has a tree; load {key!r} into an empty database"
        )
    if active is not None:
        # Switching presets with no tree: nothing refers to the old catalogue.
        Role.objects.all().delete()
        PartyLevel.objects.all().delete()
        Level.objects.all().delete()
    # Reloading the active preset updates its catalogue in place, keeping the city's links.
    Role.objects.exclude(code__in=[role["code"] for role in data["roles"]]).delete()
    party_specs = data.get("party_levels", [])
    PartyLevel.objects.exclude(key__in=[spec["key"] for spec in party_specs]).delete()
    levels = _sync_ordered(
        Level,
        data["levels"],
        lambda spec: {"name": spec["name"], "kind": spec["kind"], "code_width": spec["code_width"]},
    )
    _sync_ordered(
        PartyLevel,
        party_specs,
        lambda spec: {"name": spec["name"], "org_level": levels[spec["org_level"]]},
    )
    for spec in data["roles"]:
        Role.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "duty": spec["duty"],
                "level": levels.get(spec.get("level")),
                "description": spec.get("description", ""),
            },
        )
    for code, name, key_population in DEFAULT_TAGS:
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "is_key_population": key_population}
        )
    PresetRecord.objects.filter(is_active=True).exclude(key=key).update(is_active=False)
    do_load_catalog(data)
    do_load_credit(data)
    record, _ = PresetRecord.objects.update_or_create(
        key=key, defaults={"title": data["title"], "data": data, "is_active": True}
    )
    return record


def _sync_ordered(model, specs, defaults) -> dict:
    """Make ``model``'s rows match ``specs`` by key, in order of depth."""
    model.objects.exclude(key__in=[spec["key"] for spec in specs]).delete()
    rows = {}
    for depth, spec in enumerate(specs):
        # Depths are unique: park a row that is in the way before placing this one.
        model.objects.filter(depth=depth).exclude(key=spec["key"]).update(depth=100 + depth)
        rows[spec["key"]], _ = model.objects.update_or_create(
            key=spec["key"], defaults={"depth": depth, **defaults(spec)}
        )
    return rows


_parsed: dict = {}


def active_preset() -> dict:
    """The active preset's data. Features read it on hot paths (every case intake), so the
    parsed JSON is kept per process and re-read only when the active record or its load
    time changes: one small indexed read instead of parsing the whole file each time."""
    stamp = PresetRecord.objects.filter(is_active=True).values_list("pk", "loaded_at").first()
    if stamp is None:
        raise PresetError("no preset is loaded; run manage.py load_preset NAME")
    if _parsed.get("stamp") != stamp:
        data = PresetRecord.objects.values_list("data", flat=True).get(pk=stamp[0])
        _parsed.clear()
        _parsed.update(stamp=stamp, data=data)
    return _parsed["data"]
