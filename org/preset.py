"""The preset sections org owns: the region, the levels of the tree and of the party tree,
the role catalogue, departments and the per-grid standards; and their loader."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from org.models import GridKind, Level, LevelKind, OrgNode, PartyLevel, Role, RoleKind
from org.permissions import DEFAULTS, VERBS
from presets.loader import PresetError
from presets.schema import (
    Array,
    Choice,
    Count,
    Name,
    Positive,
    Slug,
    SlugOf,
    Table,
    Text,
    checked,
    unique,
)
from presets.sections import Section


def _length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class Region(Table):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]+$")] = Field(
        description="administrative division code (or its prefix) of the root"
    )
    name: Text
    lng: float = Field(ge=73, le=136)  # inside China
    lat: float = Field(ge=3, le=54)
    case_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")] | None = Field(
        None, description="case numbers' prefix (JZ-…); default: the key's first two letters"
    )


class LevelSpec(Table):
    key: SlugOf(_length(Level, "key"))
    name: Name(_length(Level, "name"))
    kind: Choice(LevelKind)
    code_width: Positive = Field(le=12, description="digits this level adds to its parent's code")


LEVEL_ORDER = [
    LevelKind.ADMIN,
    LevelKind.GRID,
    LevelKind.BUILDING,
    LevelKind.UNIT,
    LevelKind.HOUSEHOLD,
]


def _check_levels(levels) -> None:
    if not 3 <= len(levels) <= 8:
        raise ValueError(f"{len(levels)} levels; a preset has 3 to 8")
    kinds = [level.kind for level in levels]
    if kinds.count(LevelKind.GRID) != 1:
        raise ValueError("exactly one level must be of kind 'grid'")
    if kinds[0] != LevelKind.ADMIN:
        raise ValueError("the first level must be administrative")
    ranks = [LEVEL_ORDER.index(kind) for kind in kinds]
    below_admin = [kind for kind in kinds if kind != LevelKind.ADMIN]
    if ranks != sorted(ranks) or len(set(below_admin)) != len(below_admin):
        raise ValueError("levels must run admin… → grid → building → unit → household")


class PartyLevelSpec(Table):
    key: SlugOf(_length(PartyLevel, "key"))
    name: Name(_length(PartyLevel, "name"))
    org_level: Slug  # the key of the tree level its organisations sit at


class RoleSpec(Table):
    code: SlugOf(_length(Role, "code"))
    name: Name(_length(Role, "name"))
    kind: Choice(RoleKind) = Field(description="how the role's scope is drawn")
    duty: SlugOf(_length(Role, "duty")) = Field(
        description="the platform's generic duty (grid_worker, community_secretary…)"
    )
    level: Slug | None = None  # the key of the level the role is bound to
    description: Annotated[str, StringConstraints(max_length=_length(Role, "description"))] = ""


class DepartmentSpec(Table):
    kind: SlugOf(32)
    name: Name(60)


class GridKindSpec(Table):
    code: Choice(GridKind)
    name: Text


class PerGrid(Table):
    """The forces and places every grid has (张掖: 「1個網格+1個網格黨支部+…」)."""

    party_branches: Count = 0
    partner_units: Count = 0
    work_committee_members: Count = 0
    work_committee_homes: Count = 0
    neighbourhood_watch_points: Count = 0
    talk_points: Count = 0


def _known_verb(verb: str) -> str:
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    return verb


Verb = Annotated[str, AfterValidator(_known_verb)]


class Permissions(Table):
    """``[permissions]``: a preset's changes to the platform's duty → verbs table
    (``org.permissions.DEFAULTS``): ``[permissions.grant] grid_worker = ["cases.whistle"]``."""

    grant: dict[Slug, Array[Verb]] = {}
    revoke: dict[Slug, Array[Verb]] = {}


class OwnersCommittee(Table):
    # 武功: 「將黨組織設立情況納入業主委員會備案要求」
    party_organisation_required: bool = False


SECTIONS = (
    Section("region", Region),
    Section("levels", Annotated[Array[LevelSpec], unique("key"), checked(_check_levels)]),
    Section("party_levels", Annotated[Array[PartyLevelSpec], unique("key")], ()),
    Section("roles", Annotated[Array[RoleSpec], unique("code")]),
    Section(
        "departments",
        Annotated[Array[DepartmentSpec], unique("kind")],
        (),
        doc="the functional departments the demo city seats at the root",
    ),
    Section("grid_kinds", Annotated[Array[GridKindSpec], unique("code")], ()),
    Section("per_grid", PerGrid | None, None),
    Section("owners_committee", OwnersCommittee | None, None),
    Section("permissions", Permissions, Permissions(), doc="who may do what (org.permissions)"),
)


def check_org(preset):
    levels = preset.levels
    keys = {level.key for level in levels}
    code = preset.region.code
    if len(code) != levels[0].code_width:
        yield (
            ("region", "code"),
            f"{code!r} must have the root level's {levels[0].code_width} digits",
        )
    for index, role in enumerate(preset.roles):
        if role.level is not None and role.level not in keys:
            yield ("roles", index, "level"), f"no level {role.level!r} in levels"
    for index, party in enumerate(preset.party_levels):
        if party.org_level not in keys:
            yield ("party_levels", index, "org_level"), f"no level {party.org_level!r} in levels"
    duties = {role.duty for role in preset.roles} | set(DEFAULTS)
    for part in ("grant", "revoke"):
        for duty in getattr(preset.permissions, part):
            if duty not in duties:
                yield ("permissions", part, duty), "no role has this duty"


def do_load_org(preset, context) -> None:
    """Levels, party levels and roles, in place by key, so a generated city keeps its links
    when its preset is reloaded. Another preset replaces them only while there is no tree."""
    if context.replacing is not None:
        if OrgNode.objects.exists():
            raise PresetError(
                f"preset {context.replacing!r} already has a tree; "
                f"load {preset.key!r} into an empty database"
            )
        # Switching presets with no tree: nothing refers to the old catalogue.
        Role.objects.all().delete()
        PartyLevel.objects.all().delete()
        Level.objects.all().delete()
    Role.objects.exclude(code__in=[role.code for role in preset.roles]).delete()
    PartyLevel.objects.exclude(key__in=[spec.key for spec in preset.party_levels]).delete()
    levels = _sync_ordered(
        Level,
        preset.levels,
        lambda spec: {"name": spec.name, "kind": spec.kind, "code_width": spec.code_width},
    )
    _sync_ordered(
        PartyLevel,
        preset.party_levels,
        lambda spec: {"name": spec.name, "org_level": levels[spec.org_level]},
    )
    for spec in preset.roles:
        Role.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "duty": spec.duty,
                "level": levels.get(spec.level),
                "description": spec.description,
            },
        )


def _sync_ordered(model, specs, defaults) -> dict:
    """Make ``model``'s rows match ``specs`` by key, in order of depth."""
    model.objects.exclude(key__in=[spec.key for spec in specs]).delete()
    rows = {}
    for depth, spec in enumerate(specs):
        # Depths are unique: park a row that is in the way before placing this one.
        model.objects.filter(depth=depth).exclude(key=spec.key).update(depth=100 + depth)
        rows[spec.key], _ = model.objects.update_or_create(
            key=spec.key, defaults={"depth": depth, **defaults(spec)}
        )
    return rows
