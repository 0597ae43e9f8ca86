"""The 双报到 register (members): one row per registered party member or cadre.

Natural key: the phone among the registrations in the register (在册); a masked phone read
back from one of our own exports matches the registration of that name in that grid.
Rows are written through ``members.actions`` (``members.manage`` at the home grid, checked
there: a grid outside the importer's subtree is the row's error)."""

from dataclasses import dataclass

from exchange.importing import CREATED, UNCHANGED, UPDATED, Column, Row, RowError, Sheet
from exchange.models import ImportKind
from exchange.registers.common import is_masked, masked_matches, phone_cell, word_list
from exchange.tabular import text
from gridgov.masking import mask_phone
from members.actions import Details, do_import_registration, may_manage
from members.models import Registration, RegistrationKind, RegistrationStatus
from org.models import OrgNode
from org.permissions import restrict

COLUMNS = (
    Column("name", "姓名", True),
    Column("phone", "手机号", True, ("联系电话", "电话")),
    Column("employer", "工作单位", True, ("单位",)),
    Column("grid", "居住地网格编码", True, ("网格编码", "居住网格编码")),
    Column("grid_name", "居住地网格"),
    Column("kind", "身份", False, ("类型",)),
    Column("skills", "技能特长", False, ("特长", "技能")),
)
KINDS = {label: value for value, label in RegistrationKind.choices} | {
    "党员": RegistrationKind.PARTY_MEMBER,
    "干部": RegistrationKind.CADRE,
}


@dataclass
class MemberRow:
    details: Details
    existing: Registration | None = None


class MemberSheet(Sheet):
    kind = ImportKind.MEMBERS
    title = "双报到名册"
    columns = COLUMNS

    def begin(self) -> None:
        self.grids: dict[str, OrgNode | None] = {}

    def parse(self, row: Row) -> MemberRow:
        """The row's details, checked by the import's own rules (``members.actions``: the
        fields, the kind, the phone, ``members.manage`` at the home grid and at the grid
        of the phone's current registration), so the preview marks ✓ only what the import
        takes. Every problem of the row is listed in one reason, separated by "；"."""
        values = row.values
        problems = []
        name = text(values.get("name"))
        if not name:
            problems.append("姓名为空")
        try:
            phone = phone_cell(values.get("phone"))
        except RowError as error:
            phone, problems = "", [*problems, error.reason]
        else:
            if not phone:
                problems.append("手机号为空")
        employer = text(values.get("employer"))
        if not employer:
            problems.append("工作单位为空")
        code = text(values.get("grid"))
        if code not in self.grids:
            self.grids[code] = OrgNode.objects.exclude(grid_kind="").filter(code=code).first()
        grid = self.grids[code]
        if grid is None:
            problems.append(f"没有网格「{code}」" if code else "居住地网格编码为空")
        elif not may_manage(self.user, grid):
            problems.append(f"网格 {grid.code} 不在您的管辖范围")
        word = text(values.get("kind"))
        if word and word not in KINDS and word not in RegistrationKind.values:
            problems.append(f"身份「{word}」应填 在职党员 或 在职干部")
        existing = None
        if phone and is_masked(phone):
            candidates = Registration.objects.filter(
                name=name[:50], home_grid__code=code, status=RegistrationStatus.ACTIVE
            )
            match = [r for r in candidates if masked_matches(phone, r.phone)]
            if len(match) == 1:
                existing, phone = match[0], match[0].phone
            else:
                problems.append(f"手机号「{phone}」已脱敏，找不到对应的登记，请填完整号码")
        elif phone:
            existing = (
                Registration.objects.select_related("home_grid")
                .filter(phone=phone, status=RegistrationStatus.ACTIVE)
                .first()
            )
        if existing is not None and not may_manage(self.user, existing.home_grid):
            problems.append("这个手机号已在您管辖范围外的网格报到")
        if problems:
            raise RowError("；".join(problems))
        details = Details(
            name=name[:50],
            phone=phone,
            employer=employer[:100],
            grid_code=code,
            kind=KINDS.get(word, word),
            skills=word_list(values.get("skills"))[:10],
        )
        return MemberRow(details, existing)

    def apply(self, row: Row) -> str:
        registration_before = (
            Registration.objects.filter(
                phone=row.data.details.phone, status=RegistrationStatus.ACTIVE
            )
            .values_list("version", flat=True)
            .first()
        )
        registration, created = do_import_registration(row.data.details, actor=self.user)
        if created:
            return CREATED
        return UNCHANGED if registration.version == registration_before else UPDATED


def export_members(user, *, reveal: bool = False) -> tuple[list[str], list[list]]:
    rows = (
        restrict(Registration.objects.all(), user, "members.manage")
        .filter(status=RegistrationStatus.ACTIVE)
        .select_related("home_grid")
        .order_by("home_grid__code", "name", "pk")
    )
    body = [
        [
            r.name,
            r.phone if reveal else mask_phone(r.phone),
            r.employer,
            r.home_grid.code,
            r.home_grid.name,
            r.get_kind_display(),
            "、".join(r.skills),
        ]
        for r in rows
    ]
    return [c.label for c in COLUMNS], body
