"""The one place that decides what part of the tree a user may see.

Every model that holds governed data names the code path that places it in
the tree (``scope_field``) and whether it is personal data (``scope_personal``).
``restrict(queryset, user)`` narrows any such queryset to the user's subtrees,
so an object outside them is simply not found (404), never "forbidden".
"""

from org.choices import RoleKind
from org.codes import any_subtree_q

_CACHE_ATTR = "_gridgov_scope"


def scope_prefixes(user, *, personal: bool) -> list[str] | None:
    """Codes of the subtrees the user may see; None means everything."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = _compute_scope(user)
        setattr(user, _CACHE_ATTR, cache)
    return cache["personal" if personal else "structure"]


def _compute_scope(user) -> dict:
    structure: list[str] = []
    personal: list[str] = []
    departments: list[int] = []
    assignments = user.assignments.select_related("role", "node")
    for assignment in assignments:
        kind = assignment.role.kind
        structure.append(assignment.node.code)
        if assignment.department_id:
            departments.append(assignment.department_id)
        if kind in (RoleKind.STAFF, RoleKind.LEADER):
            personal.append(assignment.node.code)
        elif kind == RoleKind.RESIDENT:
            household = _own_household_code(user)
            if household:
                personal.append(household)
        # Department staff see the tree's structure around their seat, not residents.
    return {"structure": structure, "personal": personal, "departments": departments}


def _own_household_code(user) -> str | None:
    resident = getattr(user, "resident", None)
    return resident.household.code if resident is not None else None


def _scope(user) -> dict:
    if not user.is_authenticated or user.is_superuser:
        return {"departments": []}
    scope_prefixes(user, personal=False)  # fills the cache
    return getattr(user, _CACHE_ATTR)


def department_ids(user) -> list[int]:
    """The departments the user works for (through department roles)."""
    return _scope(user)["departments"]


def restrict(queryset, user):
    """``queryset`` narrowed to the user's subtrees; a model may widen that with
    ``scope_extra_q(user, department_ids)`` (e.g. a reporter's own cases)."""
    model = queryset.model
    prefixes = scope_prefixes(user, personal=model.scope_personal)
    if prefixes is None:
        return queryset
    query = any_subtree_q(prefixes, model.scope_field)
    extra = getattr(model, "scope_extra_q", None)
    if extra is not None and user.is_authenticated:
        query |= extra(user, department_ids(user))
    return queryset.filter(query)


def in_scope(user, code: str, *, personal: bool) -> bool:
    prefixes = scope_prefixes(user, personal=personal)
    return prefixes is None or any(code.startswith(prefix) for prefix in prefixes)
