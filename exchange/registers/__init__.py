"""The registers staff keep in Excel: each with its import sheet and its export."""

from collections.abc import Callable
from dataclasses import dataclass

from exchange.registers.catalogue import CatalogueSheet, export_catalogue
from exchange.registers.divisions import DivisionSheet, export_divisions
from exchange.registers.members import MemberSheet, export_members
from exchange.registers.partners import PartnerSheet, export_partners
from exchange.registers.residents import ResidentSheet, export_residents
from exchange.registers.staff import StaffSheet, export_staff


@dataclass(frozen=True)
class Register:
    kind: str
    title: str
    sheet: type
    export: Callable
    personal: bool  # holds phones / ID numbers that are masked unless revealed


REGISTERS = {
    r.kind: r
    for r in (
        Register("staff", "工作人员名册", StaffSheet, export_staff, True),
        Register("residents", "户和居民", ResidentSheet, export_residents, True),
        Register("partners", "共建单位", PartnerSheet, export_partners, False),
        Register("catalogue", "事项清单", CatalogueSheet, export_catalogue, False),
        Register("divisions", "行政区划和网格", DivisionSheet, export_divisions, False),
        Register("members", "双报到名册", MemberSheet, export_members, True),
    )
}
