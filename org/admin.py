from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import (
    Building,
    Department,
    GridPairing,
    Household,
    Level,
    OrgNode,
    PartnerUnit,
    PartyLevel,
    PartyOrg,
    Role,
    RoleAssignment,
    User,
)
from org.permissions import VERBS, verbs_of


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ["node", "department"]
    extra = 0


@admin.register(User)
class GridgovUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("网格化", {"fields": ("display_name", "phone")}),)
    list_display = ["username", "display_name", "is_staff", "is_active"]
    search_fields = ["username", "display_name"]
    inlines = [RoleAssignmentInline]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["depth", "key", "name", "kind", "code_width"]


@admin.register(OrgNode)
class OrgNodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "grid_kind"]
    list_filter = ["level", "grid_kind"]
    search_fields = ["=code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["level"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "floors"]
    search_fields = ["=code", "name", "address"]
    raw_id_fields = ["grid"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "address", "is_party_member_household"]
    search_fields = ["=code", "address"]
    raw_id_fields = ["grid", "building", "unit"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "node"]
    raw_id_fields = ["node"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Roles come from the preset; what each may do comes from its duty in the capability
    table (org.permissions, with the preset's ``[permissions]``), shown here read-only."""

    list_display = ["code", "name", "kind", "duty", "level"]
    list_filter = ["kind", "duty"]
    readonly_fields = ["verbs"]

    @admin.display(description=_("可做的事(按职责,来自能力表)"))
    def verbs(self, role):
        held = verbs_of(role.duty)
        return "；".join(f"{VERBS[verb]} ({verb})" for verb in sorted(held)) or "—"


@admin.register(PartyLevel)
class PartyLevelAdmin(admin.ModelAdmin):
    list_display = ["depth", "key", "name", "org_level"]


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]
    search_fields = ["=code", "name"]
    raw_id_fields = ["parent", "node", "building", "household"]


class GridPairingInline(admin.TabularInline):
    model = GridPairing
    raw_id_fields = ["grid"]
    extra = 0


@admin.register(PartnerUnit)
class PartnerUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name"]
    inlines = [GridPairingInline]
