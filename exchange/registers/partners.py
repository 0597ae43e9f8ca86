"""Partner units (共建单位) and their grid pairings: one row per pairing (a unit with no
pairing is one row with the grid columns empty).

Natural keys: the unit's code, then (unit, grid). Pairings are only added or re-dated
here; ending one is done in the admin. A unit paired with grids outside the importer's
subtree keeps its name and details: the level above manages it.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from exchange.access import in_import_scope
from exchange.importing import CREATED, UNCHANGED, UPDATED, Column, Row, RowError, Sheet
from exchange.models import ImportKind
from exchange.registers.common import first_line_check
from exchange.tabular import text
from org.models import GridPairing, OrgNode, PartnerUnit

COLUMNS = (
    Column("code", "单位编码", True),
    Column("name", "单位名称", True),
    Column("kind", "单位类型"),
    Column("address", "地址"),
    Column("grid", "结对网格编码", False, ("网格编码",)),
    Column("grid_name", "结对网格"),
    Column("since", "结对日期"),
)


@dataclass
class PartnerRow:
    code: str
    name: str
    kind: str
    address: str
    grid: OrgNode | None
    since: date | None


def _date(value) -> date | None:
    from exchange.hotline import parse_when

    try:
        moment = parse_when(value, "%Y-%m-%d")
    except ValueError:
        raise RowError(f"结对日期「{text(value)}」不是有效日期") from None
    return timezone.localdate(moment) if moment else None


class PartnerSheet(Sheet):
    kind = ImportKind.PARTNERS
    title = "共建单位"
    columns = COLUMNS

    def begin(self) -> None:
        self.seen: dict = {}
        self.grids: dict[str, OrgNode | None] = {}

    def parse(self, row: Row) -> PartnerRow:
        values = row.values
        code, name = text(values.get("code")), text(values.get("name"))
        if not code or len(code) > 40:
            raise RowError("单位编码为空" if not code else "单位编码超过 40 个字符")
        if not name:
            raise RowError("单位名称为空")
        data = PartnerRow(
            code=code,
            name=name[:100],
            kind=text(values.get("kind"))[:32],
            address=text(values.get("address"))[:200],
            grid=None,
            since=_date(values.get("since")),
        )
        first_line_check(
            self.seen, code, row.line, (data.name, data.kind, data.address), "单位名称、类型或地址"
        )
        grid_code = text(values.get("grid"))
        if grid_code:
            if grid_code not in self.grids:
                self.grids[grid_code] = (
                    OrgNode.objects.exclude(grid_kind="").filter(code=grid_code).first()
                )
            data.grid = self.grids[grid_code]
            if data.grid is None:
                raise RowError(f"没有网格「{grid_code}」")
            if not in_import_scope(self.user, grid_code):
                raise RowError(f"网格 {grid_code} 不在您的管辖范围")
        return data

    def apply(self, row: Row) -> str:
        return do_import_partner_row(row.data, actor=self.user)


def do_import_partner_row(data: PartnerRow, *, actor) -> str:
    partner = PartnerUnit.objects.filter(code=data.code).first()
    outcome = UNCHANGED
    if partner is None:
        if data.grid is None and actor is not None and not actor.is_superuser:
            raise RowError("新建共建单位要填结对网格")
        partner = PartnerUnit.objects.create(
            code=data.code, name=data.name, kind=data.kind, address=data.address
        )
        outcome = CREATED
    else:
        values = {"name": data.name, "kind": data.kind, "address": data.address}
        changed = [k for k, v in values.items() if v and getattr(partner, k) != v]
        if changed:
            grid_codes = list(partner.pairings.values_list("grid__code", flat=True))
            if not grid_codes and actor is not None and not actor.is_superuser:
                raise RowError(f"共建单位 {partner.code} 没有结对网格，请由管理员修改")
            if not all(in_import_scope(actor, code) for code in grid_codes):
                raise RowError(f"共建单位 {partner.code} 还与您管辖范围外的网格结对，请由上级修改")
            for name in changed:
                setattr(partner, name, values[name])
            partner.save(update_fields=changed)
            outcome = UPDATED
    if data.grid is not None:
        since = data.since or timezone.localdate()
        pairing, created = GridPairing.objects.get_or_create(
            partner=partner, grid=data.grid, defaults={"since": since}
        )
        if created:
            outcome = outcome if outcome == CREATED else UPDATED
        elif data.since and pairing.since != data.since:
            pairing.since = data.since
            pairing.save(update_fields=["since"])
            outcome = outcome if outcome == CREATED else UPDATED
    return outcome


def export_partners(user, *, reveal: bool = False) -> tuple[list[str], list[list]]:
    pairings = (
        GridPairing.objects.restrict(user)
        .select_related("partner", "grid")
        .order_by("partner__code", "grid__code")
    )
    rows = []
    paired = set()
    for pairing in pairings:
        partner = pairing.partner
        paired.add(partner.pk)
        rows.append(
            [
                partner.code,
                partner.name,
                partner.kind,
                partner.address,
                pairing.grid.code,
                pairing.grid.name,
                pairing.since,
            ]
        )
    if user.is_superuser:
        for partner in PartnerUnit.objects.filter(pairings=None).order_by("code"):
            rows.append([partner.code, partner.name, partner.kind, partner.address, "", "", ""])
    return [c.label for c in COLUMNS], rows
