"""A deterministic synthetic city for the active preset.

The territory is a rectangle around the preset's region. Each node's rectangle
is cut into rows and each row into cells, one per child, with shared edges
computed once, so the grids tile the territory with no gap and no overlap.
The same preset, scale and seed always give the same city.
"""

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from org.codes import child_code
from org.models import (
    Building,
    BuildingUnit,
    Department,
    GridKind,
    GridMapVersion,
    GridPairing,
    Household,
    Level,
    LevelKind,
    OrgNode,
    PartnerUnit,
    PartyLevel,
    PartyOrg,
    Role,
    RoleAssignment,
    RoleKind,
    User,
)
from presets.loader import active_preset
from residents.models import Resident, Tag
from simulate import names

DEMO_PASSWORD = "demo12345"
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    # Nodes at each admin level, from the level just above the grids upwards.
    admin_counts: tuple[int, ...]
    residential_grids: int
    unit_grids: int
    buildings_per_grid: int
    units_per_building: int
    households_per_unit: int
    partners_per_community: int
    span_degrees: float  # width of the territory


SCALES = {
    "tiny": Scale((3, 2, 1, 1, 1), 9, 3, 2, 2, 2, 1, 0.05),
    "county": Scale((120, 10, 1, 1, 1), 480, 120, 4, 2, 6, 2, 0.4),
    "city": Scale((600, 40, 4, 1, 1), 2400, 600, 3, 2, 5, 2, 0.9),
    # 「將全市各社區(村)重新劃分為13113個小區(自然村)網格和16673個單位網格」 (Fuzhou seed)
    "fuzhou": Scale((2860, 176, 13, 1, 1), 13113, 16673, 1, 1, 4, 1, 1.6),
}


class CityGenerationError(RuntimeError):
    pass


def split_counts(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` positive integers that differ by at most one."""
    if total < parts:
        raise CityGenerationError(f"cannot give {parts} parents at least one of {total} children")
    base, extra = divmod(total, parts)
    lucky = set(rng.sample(range(parts), extra))
    return [base + (i in lucky) for i in range(parts)]


def tile(bounds, n: int, rng: random.Random) -> list[tuple[float, float, float, float]]:
    """Cut the rectangle (x0, y0, x1, y1) into n rectangles: rows of cells with
    randomly weighted sizes. Neighbours share the very same edge coordinates."""
    x0, y0, x1, y1 = bounds
    rows = max(1, round(math.sqrt(n * (y1 - y0) / (x1 - x0))))
    rows = min(rows, n)
    per_row = split_counts(n, rows, rng)
    ys = _cuts(y0, y1, rows, rng)
    cells = []
    for row, count in enumerate(per_row):
        xs = _cuts(x0, x1, count, rng)
        cells.extend((xs[i], ys[row], xs[i + 1], ys[row + 1]) for i in range(count))
    return cells


def _cuts(start: float, end: float, parts: int, rng: random.Random) -> list[float]:
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    total = sum(weights)
    cuts, acc = [start], 0.0
    for weight in weights[:-1]:
        acc += weight
        cuts.append(start + (end - start) * acc / total)
    cuts.append(end)
    return cuts


def polygon(bounds) -> dict:
    x0, y0, x1, y1 = (round(value, 7) for value in bounds)
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def id_number(region6: str, birth: date, sequence: int) -> str:
    body = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


class CityGenerator:
    def __init__(self, scale: str, seed: int, *, progress=None):
        if scale not in SCALES:
            raise CityGenerationError(f"unknown scale {scale!r}; choose {', '.join(SCALES)}")
        self.scale = SCALES[scale]
        self.rng = random.Random(seed)
        self.preset = active_preset()
        self.levels = list(Level.objects.order_by("depth"))
        self.progress = progress or (lambda message: None)
        self.today = date(2026, 11, 1)

    # -- the tree ---------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict:
        if OrgNode.objects.exists():
            raise CityGenerationError("the database already has a tree; generate into an empty one")
        region = self.preset.region
        admin_levels = [lv for lv in self.levels if lv.kind == LevelKind.ADMIN]
        grid_level = next(lv for lv in self.levels if lv.kind == LevelKind.GRID)
        span = self.scale.span_degrees
        bounds = (
            region.lng - span / 2,
            region.lat - span * 0.4,
            region.lng + span / 2,
            region.lat + span * 0.4,
        )
        root = OrgNode.objects.create(
            code=region.code,
            level=admin_levels[0],
            name=region.name,
            geometry=polygon(bounds),
        )
        self.node_bounds = {root.code: bounds}
        parents = [root]
        below_root = admin_levels[1:]
        counts = list(reversed(self.scale.admin_counts[: len(below_root)]))
        for level, count in zip(below_root, counts, strict=True):
            parents = self._make_children(parents, level, count)
            self.progress(f"{level.name}: {len(parents)}")
        self.communities = parents
        grids = self._make_grids(parents, grid_level)
        self.progress(f"{grid_level.name}: {len(grids)}")
        GridMapVersion.bump()
        households = self._make_buildings_and_households(grids)
        self.progress(f"户: {len(households)}")
        residents = self._make_residents(households)
        self.progress(f"居民: {residents}")
        self._make_party_tree()
        partners = self._make_partners(grids)
        departments = self._make_departments(root)
        staff = self._make_staff(departments)
        self.progress(f"工作人员: {staff}")
        demo = self._make_demo_accounts(root, departments)
        return {
            "grids": len(grids),
            "households": len(households),
            "residents": residents,
            "staff": staff,
            "partners": partners,
            "demo_accounts": demo,
        }

    def _place_name(self, suffixes) -> str:
        syllables = names.PLACE_SYLLABLES
        return self.rng.choice(syllables) + self.rng.choice(syllables) + self.rng.choice(suffixes)

    def _make_children(self, parents, level, total) -> list[OrgNode]:
        last_admin = max(lv.depth for lv in self.levels if lv.kind == LevelKind.ADMIN)
        if level.depth == last_admin:
            suffixes = names.COMMUNITY_SUFFIXES
        elif level.key in {"district", "county"}:
            suffixes = ["区", "县"]
        else:
            suffixes = names.STREET_SUFFIXES
        rows = []
        for parent, count in zip(parents, split_counts(total, len(parents), self.rng), strict=True):
            for number, cell in enumerate(tile(self.node_bounds[parent.code], count, self.rng), 1):
                code = child_code(parent.code, level.code_width, number)
                self.node_bounds[code] = cell
                rows.append(
                    OrgNode(
                        code=code,
                        parent=parent,
                        level=level,
                        name=self._place_name(suffixes),
                        geometry=polygon(cell),
                    )
                )
        return OrgNode.objects.bulk_create(rows, batch_size=BATCH)

    def _make_grids(self, communities, grid_level) -> list[OrgNode]:
        residential = split_counts(self.scale.residential_grids, len(communities), self.rng)
        unit = (
            split_counts(self.scale.unit_grids, len(communities), self.rng)
            if self.scale.unit_grids >= len(communities)
            else [1 if i < self.scale.unit_grids else 0 for i in range(len(communities))]
        )
        rows = []
        for community, n_res, n_unit in zip(communities, residential, unit, strict=True):
            kinds = [GridKind.RESIDENTIAL] * n_res + [GridKind.UNIT] * n_unit
            cells = tile(self.node_bounds[community.code], len(kinds), self.rng)
            for number, (kind, cell) in enumerate(zip(kinds, cells, strict=True), 1):
                code = child_code(community.code, grid_level.code_width, number)
                if kind == GridKind.RESIDENTIAL:
                    name = f"{self._place_name(names.COMPOUND_SUFFIXES)}网格"
                else:
                    name = f"{self.rng.choice(names.UNIT_GRID_NAMES)}单位网格"
                self.node_bounds[code] = cell
                rows.append(
                    OrgNode(
                        code=code,
                        parent=community,
                        level=grid_level,
                        name=name,
                        grid_kind=kind,
                        geometry=polygon(cell),
                    )
                )
        return OrgNode.objects.bulk_create(rows, batch_size=BATCH)

    def _level(self, kind) -> Level | None:
        return next((lv for lv in self.levels if lv.kind == kind), None)

    def _make_buildings_and_households(self, grids) -> list[Household]:
        building_level = self._level(LevelKind.BUILDING)
        unit_level = self._level(LevelKind.UNIT)
        household_level = self._level(LevelKind.HOUSEHOLD)
        if building_level is None:
            return []
        scale = self.scale
        buildings = []
        for grid in grids:
            x0, y0, x1, y1 = self.node_bounds[grid.code]
            residential = grid.grid_kind == GridKind.RESIDENTIAL
            road = self.rng.choice(names.ROAD_NAMES)
            for number in range(1, (scale.buildings_per_grid if residential else 1) + 1):
                buildings.append(
                    Building(
                        code=child_code(grid.code, building_level.code_width, number),
                        grid=grid,
                        name=f"{number}栋" if residential else "办公楼",
                        address=f"{road}{self.rng.randint(1, 300)}号{grid.name[:-2]}{number}栋",
                        floors=self.rng.choice([2, 6, 6, 11, 18, 26]),
                        lng=round(self.rng.uniform(x0, x1), 6),
                        lat=round(self.rng.uniform(y0, y1), 6),
                    )
                )
        buildings = Building.objects.bulk_create(buildings, batch_size=BATCH)
        if household_level is None:
            return []
        # Households live in residential grids only; unit grids are workplaces.
        homes = [b for b in buildings if b.grid.grid_kind == GridKind.RESIDENTIAL]
        containers = []  # (building, unit or None, code prefix)
        if unit_level is not None:
            units = [
                BuildingUnit(
                    code=child_code(b.code, unit_level.code_width, n), building=b, name=f"{n}单元"
                )
                for b in homes
                for n in range(1, scale.units_per_building + 1)
            ]
            units = BuildingUnit.objects.bulk_create(units, batch_size=BATCH)
            containers = [(u.building, u) for u in units]
            per_container = scale.households_per_unit
        else:
            containers = [(b, None) for b in homes]
            per_container = scale.households_per_unit * scale.units_per_building
        households = []
        for building, unit in containers:
            prefix = unit.code if unit else building.code
            for n in range(per_container):
                floor = n // 2 + 1
                room = f"{floor:02d}{n % 2 + 1:02d}"
                where = f"{unit.name}" if unit else ""
                households.append(
                    Household(
                        code=child_code(prefix, household_level.code_width, n + 1),
                        grid=building.grid,
                        building=building,
                        unit=unit,
                        room=room,
                        address=f"{building.address}{where}{room}室",
                    )
                )
        return Household.objects.bulk_create(households, batch_size=BATCH)

    # -- people -----------------------------------------------------------------------------

    def _person(self, gender: str | None = None) -> tuple[str, str]:
        surnames, weights = zip(*names.SURNAMES, strict=True)
        gender = gender or self.rng.choice("MF")
        pool = names.GIVEN_MALE if gender == "M" else names.GIVEN_FEMALE
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice([1, 2, 2])))
        return self.rng.choices(surnames, weights)[0] + given, gender

    def _phone(self) -> str:
        return self.rng.choice(["13", "15", "17", "18", "19"]) + f"{self.rng.randrange(10**9):09d}"

    def _make_residents(self, households) -> int:
        tags = {tag.code: tag for tag in Tag.objects.all()}
        through = Resident.tags.through
        year = self.today.year
        rows, tag_rows, sequence = [], [], 0
        for household in households:
            size = self.rng.choices([1, 2, 3, 4, 5], [15, 30, 28, 18, 9])[0]
            for index in range(size):
                name, gender = self._person()
                age = self.rng.randint(25, 88) if index == 0 else self.rng.randint(0, 90)
                birth = date(year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
                sequence += 1
                resident = Resident(
                    household=household,
                    name=name,
                    gender=gender,
                    birth_year=birth.year,
                    id_number=id_number(household.code[:6], birth, sequence % 1000),
                    phone=self._phone() if age >= 14 else "",
                    is_householder=index == 0,
                )
                labels = []
                if age >= 80:
                    labels.append("elderly")
                if age < 14:
                    labels.append("child")
                if size == 1 and age >= 60:
                    labels.append("living-alone")
                if self.rng.random() < 0.02:
                    labels.append("disabled")
                if self.rng.random() < 0.01 and age >= 14:
                    labels.append("key-population")
                if self.rng.random() < 0.08 and age >= 18:
                    labels.append("party-member")
                    household.is_party_member_household = True
                rows.append(resident)
                tag_rows.append(labels)
            if len(rows) >= BATCH:
                self._flush_residents(rows, tag_rows, tags, through)
                rows, tag_rows = [], []
        self._flush_residents(rows, tag_rows, tags, through)
        Household.objects.bulk_update(
            [h for h in households if h.is_party_member_household],
            ["is_party_member_household"],
            batch_size=BATCH,
        )
        return Resident.objects.count()

    @staticmethod
    def _flush_residents(rows, tag_rows, tags, through):
        created = Resident.objects.bulk_create(rows, batch_size=BATCH)
        links = [
            through(resident_id=resident.pk, tag_id=tags[label].pk)
            for resident, labels in zip(created, tag_rows, strict=True)
            for label in labels
        ]
        through.objects.bulk_create(links, batch_size=BATCH)

    def _make_party_tree(self) -> None:
        """One party organisation per node of each party level's org level, each under
        the organisation of the nearest party level above it."""
        parents: dict[str, PartyOrg] = {}
        for party_level in PartyLevel.objects.select_related("org_level").order_by("depth"):
            org_level = party_level.org_level
            rows = []
            if org_level.kind in (LevelKind.ADMIN, LevelKind.GRID):
                linked = [
                    (n.code, n, None, None, n.name)
                    for n in OrgNode.objects.filter(level=org_level).only("code", "name")
                ]
            elif org_level.kind == LevelKind.BUILDING:
                linked = [
                    (b.code, b.grid, b, None, f"{b.grid.name[:-2]}{b.name}")
                    for b in Building.objects.select_related("grid").filter(
                        grid__grid_kind=GridKind.RESIDENTIAL
                    )
                ]
            elif org_level.kind == LevelKind.HOUSEHOLD:
                linked = [
                    (h.code, h.grid, h.building, h, h.address)
                    for h in Household.objects.select_related("grid").filter(
                        is_party_member_household=True
                    )
                ]
            else:
                linked = [
                    (
                        u.code,
                        u.building.grid,
                        u.building,
                        None,
                        f"{u.building.grid.name[:-2]}{u.building.name}{u.name}",
                    )
                    for u in BuildingUnit.objects.select_related("building__grid")
                ]
            for code, node, building, household, place in linked:
                parent = next(
                    (parents[code[:i]] for i in range(len(code) - 1, 0, -1) if code[:i] in parents),
                    None,
                )
                rows.append(
                    PartyOrg(
                        code=f"{code}-{party_level.key}",
                        name=f"{place}{party_level.name}",
                        level=party_level,
                        parent=parent,
                        node=node,
                        building=building,
                        household=household,
                    )
                )
            # A deeper party level at the same place becomes the parent of what follows.
            for org, (code, *_) in zip(
                PartyOrg.objects.bulk_create(rows, batch_size=BATCH), linked, strict=True
            ):
                parents[code] = org

    def _make_partners(self, grids) -> int:
        by_community: dict[int, list[OrgNode]] = {}
        for grid in grids:
            if grid.grid_kind == GridKind.RESIDENTIAL:
                by_community.setdefault(grid.parent_id, []).append(grid)
        partners, pairings = [], []
        for community in self.communities:
            for number in range(1, self.scale.partners_per_community + 1):
                partners.append(
                    PartnerUnit(
                        code=f"{community.code}-{number:02d}",
                        name=f"{community.name[:2]}{self.rng.choice(names.PARTNER_NAMES)}",
                        kind=self.rng.choice(names.PARTNER_KINDS),
                    )
                )
        partners = PartnerUnit.objects.bulk_create(partners, batch_size=BATCH)
        per = self.scale.partners_per_community
        for index, community in enumerate(self.communities):
            mine = partners[index * per : (index + 1) * per]
            # Every residential grid gets a partner (「1個網格+…+1個聯系共建單位」).
            for position, grid in enumerate(by_community.get(community.pk, [])):
                pairings.append(
                    GridPairing(
                        partner=mine[position % per],
                        grid=grid,
                        since=date(2025, 1 + position % 12, 1),
                    )
                )
        GridPairing.objects.bulk_create(pairings, batch_size=BATCH)
        return len(partners)

    def _make_departments(self, root) -> list[Department]:
        return Department.objects.bulk_create(
            [
                Department(
                    code=f"{root.code}-{spec.kind}",
                    name=f"{root.name}{spec.name}",
                    node=root,
                    kind=spec.kind,
                )
                for spec in self.preset.departments
            ]
        )

    def _make_staff(self, departments) -> int:
        """One person per staff role at every node of the role's level, two per department.
        Generated staff have no usable password; the demo accounts below do."""
        users, assignments = [], []
        nodes_by_level: dict[int, list[OrgNode]] = {}
        for node in OrgNode.objects.only("pk", "code", "level_id"):
            nodes_by_level.setdefault(node.level_id, []).append(node)
        roles = Role.objects.exclude(kind=RoleKind.RESIDENT).exclude(level=None)
        unusable = make_password(None)
        for role in roles.order_by("code"):
            if role.kind == RoleKind.DEPARTMENT:
                targets = [(dept.node, dept) for dept in departments for _ in range(2)]
            else:
                targets = [(node, None) for node in nodes_by_level.get(role.level_id, [])]
            for number, (node, department) in enumerate(targets, 1):
                name, _ = self._person()
                user = User(
                    username=f"{role.code}-{node.code}-{number}",
                    display_name=name,
                    phone=self._phone(),
                    password=unusable,
                )
                users.append(user)
                assignments.append((user, role, node, department))
        User.objects.bulk_create(users, batch_size=BATCH)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=r, node=n, department=d) for u, r, n, d in assignments],
            batch_size=BATCH,
        )
        return len(users)

    def _make_demo_accounts(self, root, departments) -> list[dict]:
        password = make_password(DEMO_PASSWORD)
        admin = User.objects.create(
            username="demo-admin",
            display_name="系统管理员",
            password=password,
            is_staff=True,
            is_superuser=True,
        )
        accounts = [{"username": admin.username, "role": "超级管理员", "node": "全部"}]

        def role_for(duties):
            for duty in duties.split("|"):
                role = Role.objects.filter(duty=duty).select_related("level").first()
                if role is not None:
                    return role
            raise CityGenerationError(f"the preset has no role with duty {duties!r}")

        first_grid = OrgNode.objects.filter(grid_kind=GridKind.RESIDENTIAL).order_by("code").first()
        plan = [
            ("demo-leader", "leader", root, None),
            ("demo-street", "street_staff", None, None),
            ("demo-community", "community_secretary", first_grid.parent, None),
            ("demo-grid", "grid_worker", first_grid, None),
            (
                "demo-dept",
                "department_staff",
                root,
                next((d for d in departments if d.kind == "city_management"), None),
            ),
            ("demo-resident", "resident", first_grid, None),
            # Who takes volunteer orders: the preset's volunteers, else its grid forces.
            ("demo-volunteer", "volunteer|registered_member|grid_member", first_grid, None),
        ]
        for username, duty, node, department in plan:
            role = role_for(duty)
            if node is None:
                node = first_grid
                while node.level_id != role.level_id:
                    node = node.parent
            name, _ = self._person()
            user = User.objects.create(
                username=username, display_name=name, password=password, is_staff=False
            )
            RoleAssignment.objects.create(user=user, role=role, node=node, department=department)
            accounts.append(
                {
                    "username": username,
                    "role": role.name,
                    "node": department.name if department else node.name,
                }
            )
        # The resident account, and the volunteer (who lives in the grid too, so volunteer
        # hours grow their credit), are two householders of the first grid.
        householders = Resident.objects.filter(household__grid=first_grid, is_householder=True)
        for resident, username in zip(
            householders[:2], ["demo-resident", "demo-volunteer"], strict=False
        ):
            resident.user = User.objects.get(username=username)
            resident.save(update_fields=["user"])
            User.objects.filter(username=username).update(display_name=resident.name)
        return accounts


def city_digest() -> str:
    """A fingerprint of the generated city, to check that a seed reproduces it."""
    digest = hashlib.sha256()
    for model, fields in [
        (OrgNode, ["code", "name", "grid_kind", "geometry"]),
        (Building, ["code", "name", "address", "lng", "lat"]),
        (Household, ["code", "address", "is_party_member_household"]),
        (Resident, ["household__code", "name", "gender", "birth_year", "id_number", "phone"]),
        (PartyOrg, ["code", "name"]),
        (PartnerUnit, ["code", "name", "kind"]),
        (User, ["username", "display_name", "phone"]),
    ]:
        order = fields[:1] if model is not Resident else ["household__code", "id_number"]
        for row in model.objects.order_by(*order).values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()
