"""Staff lists: one row per role assignment (a person with two roles has two rows).

Natural key: the username, then (user, role, node). New accounts get no usable password
(an administrator or the password-reset flow sets one), like the generated staff.
An account that also holds roles outside the importer's subtree is left alone: the
level above manages it.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from exchange.access import in_import_scope
from exchange.importing import CREATED, UNCHANGED, UPDATED, Column, Row, RowError, Sheet
from exchange.models import ImportKind
from exchange.registers.common import first_line_check, is_masked, phone_cell, yes_no
from exchange.tabular import text
from org.models import Department, OrgNode, Role, RoleAssignment, RoleKind, User
from residents.masking import mask_phone

COLUMNS = (
    Column("username", "用户名", True, ("账号", "登录名")),
    Column("display_name", "姓名"),
    Column("phone", "手机号", False, ("联系电话", "电话")),
    Column("role", "角色编码", False, ("角色",)),
    Column("role_name", "角色名称"),
    Column("node", "节点编码", True, ("组织编码", "网格编码")),
    Column("node_name", "节点名称"),
    Column("department", "部门编码"),
    Column("is_active", "账号状态", False, ("状态",)),
)
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


@dataclass
class StaffRow:
    username: str
    display_name: str
    phone: str
    role: Role
    node: OrgNode
    department: Department | None
    is_active: bool | None


class StaffSheet(Sheet):
    kind = ImportKind.STAFF
    title = "工作人员名册"
    columns = COLUMNS

    def begin(self) -> None:
        self.roles = {}
        for role in Role.objects.exclude(kind=RoleKind.RESIDENT).select_related("level"):
            self.roles[role.code] = role
            self.roles.setdefault(role.name, role)
        self.people: dict = {}
        self.nodes: dict[str, OrgNode | None] = {}
        self.departments: dict[str, Department | None] = {}

    def _node(self, code: str) -> OrgNode | None:
        if code not in self.nodes:
            self.nodes[code] = OrgNode.objects.select_related("level").filter(code=code).first()
        return self.nodes[code]

    def _department(self, code: str) -> Department | None:
        if code not in self.departments:
            self.departments[code] = (
                Department.objects.select_related("node").filter(code=code).first()
            )
        return self.departments[code]

    def parse(self, row: Row) -> StaffRow:
        values = row.values
        username = text(values.get("username"))
        if not USERNAME.match(username):
            raise RowError(
                f"用户名「{username}」只能由字母、数字和 @.+-_ 组成" if username else "用户名为空"
            )
        role_key = text(values.get("role")) or text(values.get("role_name"))
        role = self.roles.get(role_key)
        if role is None:
            raise RowError(f"没有角色「{role_key}」" if role_key else "角色为空")
        code = text(values.get("node"))
        node = self._node(code) if code else None
        if node is None:
            raise RowError(f"没有节点编码「{code}」" if code else "节点编码为空")
        if role.level_id and node.level_id != role.level_id:
            raise RowError(
                f"角色「{role.name}」应任职在「{role.level.name}」，不是「{node.level.name}」"
            )
        if not in_import_scope(self.user, node.code):
            raise RowError(f"节点 {node.code} 不在您的管辖范围")
        department = None
        department_code = text(values.get("department"))
        if department_code:
            department = self._department(department_code)
            if department is None:
                raise RowError(f"没有部门编码「{department_code}」")
        elif role.kind == RoleKind.DEPARTMENT:
            raise RowError(f"角色「{role.name}」要填部门编码")
        display_name = text(values.get("display_name"))[:50]
        phone = phone_cell(values.get("phone"))
        is_active = yes_no(values.get("is_active"), "账号状态")
        first_line_check(
            self.people, username, row.line, (display_name, phone, is_active), "姓名、手机号或状态"
        )
        return StaffRow(username, display_name, phone, role, node, department, is_active)

    def apply(self, row: Row) -> str:
        return do_import_staff_row(row.data, actor=self.user)


def do_import_staff_row(data: StaffRow, *, actor) -> str:
    """Create or update the account and its role assignment; CREATED/UPDATED/UNCHANGED."""
    user = User.objects.filter(username=data.username).first()
    outcome = UNCHANGED
    if user is None:
        user = User.objects.create(
            username=data.username,
            display_name=data.display_name,
            phone="" if is_masked(data.phone) else data.phone,
            is_active=data.is_active is not False,
            password=make_password(None),
        )
        outcome = CREATED
    else:
        if actor is not None and not actor.is_superuser:
            if user.is_superuser or user.is_staff:
                raise RowError(f"账号 {user.username} 是系统管理员，不能通过名册修改")
            elsewhere = [
                code
                for code in user.assignments.values_list("node__code", flat=True)
                if not in_import_scope(actor, code)
            ]
            if elsewhere:
                raise RowError(f"账号 {user.username} 在您的管辖范围外另有任职，请由上级修改")
        changed = []
        if data.display_name and user.display_name != data.display_name:
            user.display_name = data.display_name
            changed.append("display_name")
        if data.phone and not is_masked(data.phone) and user.phone != data.phone:
            user.phone = data.phone
            changed.append("phone")
        if data.is_active is not None and user.is_active != data.is_active:
            user.is_active = data.is_active
            changed.append("is_active")
        if changed:
            user.save(update_fields=changed)
            outcome = UPDATED
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=data.role, node=data.node, defaults={"department": data.department}
    )
    if created and outcome == UNCHANGED:
        outcome = UPDATED
    elif not created and data.department and assignment.department_id != data.department.pk:
        assignment.department = data.department
        assignment.save(update_fields=["department"])
        outcome = outcome if outcome == CREATED else UPDATED
    return outcome


def export_staff(user, *, reveal: bool) -> tuple[list[str], list[list]]:
    assignments = (
        RoleAssignment.objects.restrict(user)
        .exclude(role__kind=RoleKind.RESIDENT)
        .select_related("user", "role", "node", "department")
        .order_by("node__code", "role__code", "user__username")
    )
    rows = []
    for a in assignments.iterator(chunk_size=2000):
        person = a.user
        rows.append(
            [
                person.username,
                person.display_name,
                person.phone if reveal else mask_phone(person.phone),
                a.role.code,
                a.role.name,
                a.node.code,
                a.node.name,
                a.department.code if a.department_id else "",
                "启用" if person.is_active else "停用",
            ]
        )
    return [c.label for c in COLUMNS], rows
