"""Households and residents: one row per resident with their household's columns (a
household without residents is one row with the person's columns empty).

Natural keys: the household code; within a household the resident's ID number (or,
for someone without one, the name). A masked phone or ID number, as our own exports
write them, means "unchanged": exporting and importing back changes nothing, and a
masked value is never stored.
"""

from dataclasses import dataclass, field

from exchange.access import in_personal_scope
from exchange.importing import CREATED, UNCHANGED, UPDATED, Column, Row, RowError, Sheet
from exchange.models import ImportKind
from exchange.registers.common import (
    first_line_check,
    id_number_cell,
    is_masked,
    masked_matches,
    phone_cell,
    word_list,
    yes_no,
)
from exchange.tabular import text
from org.models import Building, BuildingUnit, Household
from residents.masking import mask_id_number, mask_phone
from residents.models import AccessLog, Gender, Resident, Tag

COLUMNS = (
    Column("household", "户编码", True, ("户号",)),
    Column("grid", "网格编码"),
    Column("grid_name", "网格名称"),
    Column("building", "楼栋编码"),
    Column("unit", "单元编码"),
    Column("room", "房号", False, ("门牌号",)),
    Column("address", "地址", False, ("住址",)),
    Column("party_household", "党员中心户"),
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("birth_year", "出生年份"),
    Column("id_number", "身份证号", False, ("公民身份号码", "证件号码")),
    Column("phone", "手机号", False, ("联系电话",)),
    Column("householder", "户主", False, ("是否户主",)),
    Column("tags", "标签"),
)
GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
GENDER_NAMES = {Gender.MALE: "男", Gender.FEMALE: "女"}
MIN_BIRTH_YEAR = 1900
EXPORT_CHUNK = 2000


@dataclass
class HouseholdData:
    code: str
    building: str
    unit: str
    room: str
    address: str
    party: bool | None


@dataclass
class PersonData:
    name: str
    gender: str
    birth_year: int | None
    id_number: str
    phone: str
    householder: bool | None
    tags: list | None = field(default=None)


@dataclass
class ResidentRow:
    household: HouseholdData
    person: PersonData | None


class ResidentSheet(Sheet):
    kind = ImportKind.RESIDENTS
    title = "户和居民"
    columns = COLUMNS

    def begin(self) -> None:
        self.tags = {}
        for tag in Tag.objects.all():
            self.tags[tag.code] = tag
            self.tags[tag.name] = tag
        self.households_seen: dict = {}
        self.people_seen: dict = {}

    def parse(self, row: Row) -> ResidentRow:
        values = row.values
        code = text(values.get("household"))
        if not code.isdigit():
            raise RowError(f"户编码「{code}」应为数字" if code else "户编码为空")
        if not in_personal_scope(self.user, code):
            raise RowError(f"户 {code} 不在您的管辖范围")
        household = HouseholdData(
            code=code,
            building=text(values.get("building")),
            unit=text(values.get("unit")),
            room=text(values.get("room"))[:20],
            address=text(values.get("address"))[:200],
            party=yes_no(values.get("party_household"), "党员中心户"),
        )
        first_line_check(
            self.households_seen,
            code,
            row.line,
            (
                household.building,
                household.unit,
                household.room,
                household.address,
                household.party,
            ),
            "户信息",
        )
        name = text(values.get("name"))[:50]
        if not name:
            if any(text(values.get(k)) for k in ("id_number", "phone", "gender", "birth_year")):
                raise RowError("填了居民信息但姓名为空")
            return ResidentRow(household, None)
        id_number = id_number_cell(values.get("id_number"))
        gender_text = text(values.get("gender")).lower()
        gender = GENDERS.get(gender_text)
        if gender_text and gender is None:
            raise RowError(f"性别「{gender_text}」应填 男 或 女")
        birth_text = text(values.get("birth_year"))
        birth_year = None
        if birth_text:
            if not birth_text.isdigit() or not MIN_BIRTH_YEAR <= int(birth_text) <= 2100:
                raise RowError(f"出生年份「{birth_text}」不对")
            birth_year = int(birth_text)
        if id_number and not is_masked(id_number):
            from_id = int(id_number[6:10])
            if birth_year is not None and birth_year != from_id:
                raise RowError(f"出生年份 {birth_year} 与身份证号不符")
            birth_year = from_id
            id_gender = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
            if gender is not None and gender != id_gender:
                raise RowError("性别与身份证号不符")
            gender = id_gender
        tags = None
        if "tags" in values:
            tags = []
            for word in word_list(values.get("tags")):
                if word not in self.tags:
                    raise RowError(f"没有标签「{word}」")
                tags.append(self.tags[word])
        person = PersonData(
            name=name,
            gender=gender or "",
            birth_year=birth_year,
            id_number=id_number,
            phone=phone_cell(values.get("phone")),
            householder=yes_no(values.get("householder"), "户主"),
            tags=tags,
        )
        key = (code, id_number or name)
        first = self.people_seen.setdefault(key, row.line)
        if first != row.line:
            raise RowError(f"与第 {first} 行是同一个人")
        return ResidentRow(household, person)

    def apply(self, row: Row) -> str:
        return do_import_resident_row(row.data, actor=self.user)


def _household(data: HouseholdData, actor) -> tuple[Household, str]:
    household = Household.objects.filter(code=data.code).first()
    if household is None:
        if not data.building:
            raise RowError(f"没有户 {data.code}; 新建户要填楼栋编码")
        building = Building.objects.select_related("grid").filter(code=data.building).first()
        if building is None:
            raise RowError(f"没有楼栋编码「{data.building}」")
        unit = None
        if data.unit:
            unit = BuildingUnit.objects.filter(code=data.unit, building=building).first()
            if unit is None:
                raise RowError(f"楼栋 {building.code} 没有单元「{data.unit}」")
        container = unit.code if unit else building.code
        if not data.code.startswith(container) or len(data.code) <= len(container):
            raise RowError(f"户编码应以所在楼栋/单元的编码 {container} 开头")
        if not in_personal_scope(actor, building.code):
            raise RowError(f"楼栋 {building.code} 不在您的管辖范围")
        if not data.address:
            raise RowError("新建户要填地址")
        household = Household.objects.create(
            code=data.code,
            grid=building.grid,
            building=building,
            unit=unit,
            room=data.room,
            address=data.address,
            is_party_member_household=bool(data.party),
        )
        return household, CREATED
    changed = []
    if data.address and household.address != data.address:
        household.address = data.address
        changed.append("address")
    if data.room and household.room != data.room:
        household.room = data.room
        changed.append("room")
    if data.party is not None and household.is_party_member_household != data.party:
        household.is_party_member_household = data.party
        changed.append("is_party_member_household")
    if changed:
        household.save(update_fields=[*changed, "updated_at"])
        return household, UPDATED
    return household, UNCHANGED


def _find_person(household: Household, person: PersonData) -> Resident | None:
    people = list(household.residents.all())
    if person.id_number and not is_masked(person.id_number):
        return next((r for r in people if r.id_number == person.id_number), None)
    if person.id_number:
        matches = [
            r
            for r in people
            if masked_matches(person.id_number, r.id_number) and r.name == person.name
        ]
        return matches[0] if len(matches) == 1 else None
    matches = [r for r in people if r.name == person.name and not r.id_number]
    matches = matches or [r for r in people if r.name == person.name]
    return matches[0] if len(matches) == 1 else None


def do_import_resident_row(data: ResidentRow, *, actor) -> str:
    household, outcome = _household(data.household, actor)
    person = data.person
    if person is None:
        return outcome
    resident = _find_person(household, person)
    if resident is None:
        if is_masked(person.id_number):
            raise RowError("身份证号已脱敏，户内找不到这个人，不能新建")
        if not person.gender or person.birth_year is None:
            raise RowError("新建居民要填性别和出生年份（或身份证号）")
        resident = Resident.objects.create(
            household=household,
            name=person.name,
            gender=person.gender,
            birth_year=person.birth_year,
            id_number=person.id_number,
            phone="" if is_masked(person.phone) else person.phone,
            is_householder=bool(person.householder),
        )
        if person.tags:
            resident.tags.set(person.tags)
        return CREATED
    changed = []
    updates = {
        "name": person.name,
        "gender": person.gender or None,
        "birth_year": person.birth_year,
        "id_number": None if is_masked(person.id_number) else person.id_number or None,
        "phone": None if is_masked(person.phone) else person.phone or None,
        "is_householder": person.householder,
    }
    for name, value in updates.items():
        if value is not None and getattr(resident, name) != value:
            setattr(resident, name, value)
            changed.append(name)
    if changed:
        resident.save(update_fields=changed)
    if person.tags is not None:
        wanted = {tag.pk for tag in person.tags}
        if set(resident.tags.values_list("pk", flat=True)) != wanted:
            resident.tags.set(wanted)
            changed.append("tags")
    if changed and outcome == UNCHANGED:
        outcome = UPDATED
    return outcome


def export_residents(user, *, reveal: bool) -> tuple[list[str], list[list]]:
    """Every household in the user's scope with its residents. With ``reveal``, phones
    and ID numbers go out unmasked and each resident is written to the access log."""
    households = (
        Household.objects.restrict(user)
        .select_related("grid", "building", "unit")
        .prefetch_related("residents__tags")
        .order_by("code")
    )
    rows, revealed = [], []
    for household in households.iterator(chunk_size=EXPORT_CHUNK):
        head = [
            household.code,
            household.grid.code,
            household.grid.name,
            household.building.code if household.building_id else "",
            household.unit.code if household.unit_id else "",
            household.room,
            household.address,
            "是" if household.is_party_member_household else "否",
        ]
        people = list(household.residents.all())
        if not people:
            rows.append([*head, *[""] * 7])
        for resident in people:
            rows.append(
                [
                    *head,
                    resident.name,
                    GENDER_NAMES.get(resident.gender, ""),
                    resident.birth_year,
                    resident.id_number if reveal else mask_id_number(resident.id_number),
                    resident.phone if reveal else mask_phone(resident.phone),
                    "是" if resident.is_householder else "否",
                    "、".join(tag.name for tag in resident.tags.all()),
                ]
            )
            if reveal:
                revealed.append(resident)
    if reveal:
        log_export_reveals(user, revealed)
    return [c.label for c in COLUMNS], rows


def log_export_reveals(user, residents) -> None:
    """One access-log row per resident and field exported unmasked."""
    AccessLog.objects.bulk_create(
        [
            AccessLog(actor=user, resident=resident, field=name, channel="export")
            for resident in residents
            for name in ("id_number", "phone")
            if getattr(resident, name)
        ],
        batch_size=EXPORT_CHUNK,
    )
