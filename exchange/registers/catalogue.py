"""The matter catalogue (事项清单): one row per entry, keyed by its code.

Entries are updated in place by code and never deleted (cases point at them): 启用=否
deactivates one. The classifier sees the change at once (it watches ``updated_at``).
"""

from dataclasses import dataclass

from catalog.models import MatterCategory, Tier
from exchange.importing import CREATED, UNCHANGED, UPDATED, Column, Row, RowError, Sheet
from exchange.models import ImportKind
from exchange.registers.common import word_list, yes_no
from exchange.tabular import text

COLUMNS = (
    Column("code", "事项编码", True, ("编码",)),
    Column("name", "事项名称", True, ("名称",)),
    Column("group", "分组", True, ("事项分组", "类别")),
    Column("tier", "办理层级", True, ("层级",)),
    Column("department_kind", "处置部门类别", False, ("部门类别",)),
    Column("keywords", "关键词"),
    Column("is_active", "启用", False, ("状态",)),
)


@dataclass
class CategoryRow:
    code: str
    values: dict


class CatalogueSheet(Sheet):
    kind = ImportKind.CATALOGUE
    title = "事项清单"
    columns = COLUMNS

    def begin(self) -> None:
        self.tiers = {}
        for tier in Tier.objects.all():
            self.tiers[tier.code] = tier
            self.tiers[tier.name] = tier
        self.seen: dict[str, int] = {}

    def parse(self, row: Row) -> CategoryRow:
        values = row.values
        code = text(values.get("code"))
        if not code or len(code) > 32:
            raise RowError("事项编码为空" if not code else "事项编码超过 32 个字符")
        first = self.seen.setdefault(code, row.line)
        if first != row.line:
            raise RowError(f"事项编码 {code} 与第 {first} 行重复")
        name, group = text(values.get("name")), text(values.get("group"))
        if not name or not group:
            raise RowError("事项名称和分组不能为空")
        tier_key = text(values.get("tier"))
        tier = self.tiers.get(tier_key)
        if tier is None:
            raise RowError(f"没有办理层级「{tier_key}」" if tier_key else "办理层级为空")
        department_kind = text(values.get("department_kind"))
        if department_kind and not department_kind.replace("_", "").isalnum():
            raise RowError(f"处置部门类别「{department_kind}」只能是英文编码")
        fields = {
            "name": name[:100],
            "group": group[:50],
            "default_tier_id": tier.pk,
            "department_kind": department_kind[:32],
            "keywords": word_list(values.get("keywords")) if "keywords" in values else None,
            "is_active": yes_no(values.get("is_active"), "启用"),
        }
        return CategoryRow(code, {k: v for k, v in fields.items() if v is not None})

    def apply(self, row: Row) -> str:
        return do_import_category_row(row.data)


def do_import_category_row(data: CategoryRow) -> str:
    category = MatterCategory.objects.filter(code=data.code).first()
    if category is None:
        MatterCategory.objects.create(code=data.code, **data.values)
        return CREATED
    changed = [k for k, v in data.values.items() if getattr(category, k) != v]
    if not changed:
        return UNCHANGED
    for name in changed:
        setattr(category, name, data.values[name])
    category.save(update_fields=[*changed, "updated_at"])
    return UPDATED


def export_catalogue(user=None, *, reveal: bool = False) -> tuple[list[str], list[list]]:
    rows = [
        [
            c.code,
            c.name,
            c.group,
            c.default_tier.code,
            c.department_kind,
            "、".join(c.keywords or []),
            "是" if c.is_active else "否",
        ]
        for c in MatterCategory.objects.select_related("default_tier").order_by("group", "code")
    ]
    return [c.label for c in COLUMNS], rows
