"""Every write to the 双报到 register, each in one transaction (Zulip's ``do_<verb>``).

Two ways in: a person registers themselves (``do_register_self``: their home grid chosen
or located, their employer and skills), and the community keeps the register
(``do_create_registration``, ``do_update_registration``, ``do_leave_registration`` and the
Excel import's ``do_import_registration``), which takes ``members.manage`` at the home
grid (``org.permissions.has``). Errors are ``gridgov.errors`` (400/403/409, Chinese)."""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.errors import InvalidInput, NotPermitted, StaleVersion
from members.models import Registration, RegistrationKind, RegistrationStatus
from org.models import OrgNode
from org.permissions import has

MANAGE = "members.manage"
MAX_SKILLS = 10
SKILL_LENGTH = 20
SEPARATORS = re.compile(r"[、,，;；/\s]+")
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def parse_skills(value) -> list[str]:
    """A list of skills from a list or a text like 「急救、驾驶 电工」: each at most 20
    characters, at most 10, duplicates dropped in order."""
    items = value if isinstance(value, list | tuple) else SEPARATORS.split(str(value or ""))
    skills: list[str] = []
    for item in items:
        item = str(item).strip()[:SKILL_LENGTH]
        if item and item not in skills:
            skills.append(item)
    return skills[:MAX_SKILLS]


@dataclass
class Details:
    """What a registration says; ``""`` / None leave a field as it is on an update."""

    name: str = ""
    phone: str = ""
    employer: str = ""
    grid_code: str = ""
    kind: str = ""
    skills: list[str] | None = None
    errors: dict = field(default_factory=dict)


def grid_of(code: str) -> OrgNode:
    """The grid with this code; InvalidInput (400) when there is none."""
    grid = OrgNode.objects.exclude(grid_kind="").filter(code=str(code).strip()).first()
    if grid is None:
        raise InvalidInput(f"没有网格「{code}」", errors={"home_grid": ["没有这个网格"]})
    return grid


def locate_grid(lng, lat) -> OrgNode | None:
    """The grid a phone's position lies in (``org.locator``), or None."""
    from org.locator import locator

    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        return None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    code = locator.locate(lng, lat)
    return OrgNode.objects.filter(code=code).first() if code else None


def _check(details: Details, *, creating: bool) -> None:
    if details.kind and details.kind not in RegistrationKind.values:
        raise InvalidInput("类型须为在职党员或在职干部", errors={"kind": ["无效的类型"]})
    details.phone = re.sub(r"\s+", "", details.phone or "")
    if details.phone and not PHONE.match(details.phone):
        raise InvalidInput(f"手机号「{details.phone}」格式不对", errors={"phone": ["格式不对"]})
    if creating:
        for name, label in (("name", "姓名"), ("phone", "手机号"), ("employer", "工作单位")):
            if not getattr(details, name):
                raise InvalidInput(f"请填写{label}", errors={name: ["不能为空"]})


def _save(registration: Registration, details: Details, grid: OrgNode | None, *, bump=True):
    values = {
        "name": details.name[:50],
        "phone": details.phone,
        "employer": details.employer[:100],
        "kind": details.kind,
    }
    changed = [k for k, v in values.items() if v and getattr(registration, k) != v]
    for name in changed:
        setattr(registration, name, values[name])
    if grid is not None and registration.home_grid_id != grid.pk:
        registration.home_grid = grid
        changed.append("home_grid")
    if details.skills is not None and registration.skills != details.skills:
        registration.skills = details.skills
        changed.append("skills")
    if registration.pk is None:
        registration.save()
        return registration
    if registration.status != RegistrationStatus.ACTIVE:
        registration.status = RegistrationStatus.ACTIVE
        registration.registered_at = timezone.now()
        changed += ["status", "registered_at"]
    if changed and bump:
        registration.version += 1
        changed.append("version")
    if changed:
        registration.save(update_fields=changed)
    return registration


def _phone_taken(error: IntegrityError, phone: str) -> InvalidInput:
    return InvalidInput(
        f"手机号 {phone[:3]}****{phone[-4:]} 已经报到过", errors={"phone": ["已报到"]}
    )


@transaction.atomic
def do_register_self(
    *, actor, employer: str, grid_code: str = "", lng=None, lat=None, skills=None, kind="", phone=""
) -> Registration:
    """The signed-in person registers at their home community, or changes their
    registration. Home grid: the code chosen, else the grid their phone's position lies
    in, else their own household's grid. Name and phone come from their resident record
    or account unless a phone is given."""
    if not actor.is_authenticated:
        raise NotPermitted("请先登录")
    resident = getattr(actor, "resident", None)
    if grid_code:
        grid = grid_of(grid_code)
    else:
        grid = locate_grid(lng, lat) if lng not in (None, "") else None
        if grid is None and resident is not None:
            grid = resident.household.grid
        if grid is None:
            raise InvalidInput(
                "请选择居住地网格，或点「定位」按位置确定", errors={"home_grid": ["不能为空"]}
            )
    details = Details(
        name=(resident.name if resident else "") or actor.display_name or actor.username,
        phone=phone or (resident.phone if resident else "") or actor.phone,
        employer=str(employer or "").strip(),
        kind=kind or RegistrationKind.PARTY_MEMBER,
        skills=parse_skills(skills),
    )
    _check(details, creating=True)
    registration = Registration.objects.select_for_update().filter(user=actor).first()
    if registration is None:
        registration = Registration(user=actor, home_grid=grid, created_by=actor)
    try:
        with transaction.atomic():
            return _save(registration, details, grid)
    except IntegrityError as error:
        raise _phone_taken(error, details.phone) from None


def may_manage(user, grid: OrgNode) -> bool:
    """``members.manage`` at the grid; an operator's command (no user) may."""
    return user is None or has(user, MANAGE, grid.code)


@transaction.atomic
def do_create_registration(*, actor, details: Details, user=None) -> Registration:
    """The community registers someone (``members.manage`` at the home grid)."""
    grid = grid_of(details.grid_code) if details.grid_code else None
    if grid is None:
        raise InvalidInput("请填写居住地网格", errors={"home_grid": ["不能为空"]})
    if not may_manage(actor, grid):
        raise NotPermitted("只有社区及以上的工作人员可以登记双报到")
    details.kind = details.kind or RegistrationKind.PARTY_MEMBER
    details.skills = details.skills or []
    _check(details, creating=True)
    registration = Registration(home_grid=grid, created_by=actor, user=user)
    try:
        with transaction.atomic():
            return _save(registration, details, grid)
    except IntegrityError as error:
        raise _phone_taken(error, details.phone) from None


def _locked(pk: int, actor, version) -> Registration:
    registration = (
        Registration.objects.select_for_update().select_related("home_grid").filter(pk=pk).first()
    )
    if registration is None:
        raise InvalidInput("没有这条登记", code="not_found")
    own = registration.user_id is not None and registration.user_id == actor.pk
    if not own and not may_manage(actor, registration.home_grid):
        raise NotPermitted("只有本人或社区工作人员可以修改双报到登记")
    if version not in (None, "") and str(version) != str(registration.version):
        raise StaleVersion(f"登记已被他人更新（当前版本 {registration.version}），请刷新后再试")
    return registration


@transaction.atomic
def do_update_registration(pk: int, *, actor, version, details: Details) -> Registration:
    """Change a registration: its person or a keeper of the register (at the old and the
    new home grid); a stale ``version`` is 409."""
    if version in (None, ""):
        raise InvalidInput("请带上登记的 version", errors={"version": ["必填整数"]})
    registration = _locked(pk, actor, version)
    grid = grid_of(details.grid_code) if details.grid_code else None
    if grid is not None and registration.user_id != actor.pk and not may_manage(actor, grid):
        raise NotPermitted("新的居住地网格不在您的管辖范围")
    _check(details, creating=False)
    try:
        with transaction.atomic():
            return _save(registration, details, grid)
    except IntegrityError as error:
        raise _phone_taken(error, details.phone) from None


@transaction.atomic
def do_leave_registration(pk: int, *, actor, version=None) -> Registration:
    """Take a registration off the register (kept, status 已退出: call-ups point at it)."""
    registration = _locked(pk, actor, version)
    if registration.status != RegistrationStatus.LEFT:
        registration.status = RegistrationStatus.LEFT
        registration.version += 1
        registration.save(update_fields=["status", "version"])
    return registration


def do_import_registration(details: Details, *, actor) -> tuple[Registration, bool]:
    """One row of the Excel register: the active registration with this phone is updated,
    else one is created. Returns it and whether it was created; raises the actions' errors
    (the import turns them into the row's reason)."""
    existing = (
        Registration.objects.select_related("home_grid")
        .filter(phone=details.phone, status=RegistrationStatus.ACTIVE)
        .first()
    )
    if existing is None:
        return do_create_registration(actor=actor, details=details), True
    if not may_manage(actor, existing.home_grid):
        raise NotPermitted("这个手机号已在您管辖范围外的网格报到")
    grid = grid_of(details.grid_code) if details.grid_code else None
    if grid is not None and not may_manage(actor, grid):
        raise NotPermitted(f"网格 {grid.code} 不在您的管辖范围")
    _check(details, creating=False)
    return _save(existing, details, grid), False
