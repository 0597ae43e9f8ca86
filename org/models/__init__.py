from org.models.base import TimeStampedModel
from org.models.party import GridPairing, PartnerUnit, PartyLevel, PartyOrg
from org.models.people import Department, Role, RoleAssignment, RoleKind, User
from org.models.tree import (
    Building,
    BuildingUnit,
    GridKind,
    GridMapVersion,
    Household,
    Level,
    LevelKind,
    OrgNode,
)

__all__ = [
    "Building",
    "BuildingUnit",
    "Department",
    "GridKind",
    "GridMapVersion",
    "GridPairing",
    "Household",
    "Level",
    "LevelKind",
    "OrgNode",
    "PartnerUnit",
    "PartyLevel",
    "PartyOrg",
    "Role",
    "RoleAssignment",
    "RoleKind",
    "TimeStampedModel",
    "User",
]
