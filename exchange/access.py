"""Who may import and export what. Everything a user imports or exports stays inside
their own part of the tree (org.scoping); these checks only decide whether the page or
command is open to them at all.

- 12345 orders, staff lists, households and residents, partner units: imported by
  staff and leaders (roles of kind staff/leader), into their subtree.
- The matter catalogue is one list for the whole installation: imported by superusers
  and by staff/leaders seated at the root of the tree.
- Exports: staff, leaders and department staff, each register restricted to what
  ``restrict(user)`` lets them see (department staff see no residents).
- Unmasked phones and ID numbers only for roles that may reveal (``can_reveal``), only
  when asked, and every resident so exported is written to the access log.
"""

from org.models import OrgNode
from org.scoping import department_ids, in_scope, staff_codes
from residents.masking import can_reveal


def is_staff_user(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(staff_codes(user)))


def may_import(user, kind: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    codes = staff_codes(user)
    if kind == "catalogue":
        roots = set(OrgNode.objects.filter(parent=None).values_list("code", flat=True))
        return any(code in roots for code in codes)
    return bool(codes)


def may_export(user, kind: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or staff_codes(user):
        return True
    # Department staff: the tree's structure, their cases, the catalogue; no residents.
    return bool(department_ids(user)) and kind != "residents"


def may_reveal(user) -> bool:
    return can_reveal(user)


def in_staff_scope(user, code: str) -> bool:
    """Whether a node code lies in the subtrees where the user holds a staff role."""
    if user is None or user.is_superuser:
        return True
    return any(code.startswith(prefix) for prefix in staff_codes(user))


def in_personal_scope(user, code: str) -> bool:
    return user is None or in_scope(user, code, personal=True)
