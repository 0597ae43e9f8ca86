"""Who may import and export what, from the capability table (``org.permissions``).
Everything a user imports or exports stays inside their own part of the tree (org.scoping);
these checks decide whether the page, the API or the command is open to them at all.

- 12345 orders, staff lists, households and residents, partner units: ``exchange.import``,
  into the subtrees where the user holds it;
- the hotline systems' column mappings: ``exchange.configure``;
- the tree itself (divisions and grids): ``org.import_divisions``, into the subtrees
  where the user holds it;
- the matter catalogue is one list for the whole installation: ``exchange.import_catalogue``
  held at the root of the tree;
- exports: ``exchange.export``, each register restricted to what ``restrict(user)`` lets
  them see (the residents register only to those who see residents at all);
- unmasked phones and ID numbers in an export: ``residents.export``; every resident so
  exported is written to the access log.
"""

from org.models import OrgNode
from org.permissions import has
from org.scoping import in_scope, scope_prefixes


def may_import(user, kind: str) -> bool:
    if kind == "catalogue":
        roots = OrgNode.objects.filter(parent=None).values_list("code", flat=True)
        return any(has(user, "exchange.import_catalogue", code) for code in roots)
    if kind == "divisions":
        return has(user, "org.import_divisions")
    if kind == "members":  # the 双报到 register is the community's (members.manage)
        return has(user, "members.manage")
    return has(user, "exchange.import")


def may_configure(user) -> bool:
    return has(user, "exchange.configure")


def may_export(user, kind: str) -> bool:
    if kind == "members":
        return has(user, "members.manage")
    if not has(user, "exchange.export"):
        return False
    return kind != "residents" or scope_prefixes(user, personal=True) != []


def may_reveal(user) -> bool:
    return has(user, "residents.export")


def in_import_scope(user, code: str) -> bool:
    """Whether a node code lies in the subtrees where the user imports (``exchange.import``);
    True without a user (a command run by the operator)."""
    return user is None or has(user, "exchange.import", code)


def in_personal_scope(user, code: str) -> bool:
    return user is None or in_scope(user, code, personal=True)


def in_division_scope(user, code: str) -> bool:
    """Whether the user may add or rename the node ``code`` (``org.import_divisions``
    there); True without a user (a command run by the operator)."""
    return user is None or has(user, "org.import_divisions", code)
