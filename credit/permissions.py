"""Who may award, spend and settle credit points."""

from org.scoping import staff_codes


def _staff_over(user, code: str) -> bool:
    if user.is_superuser:
        return True
    return any(code.startswith(prefix) for prefix in staff_codes(user))


def can_award(user, resident) -> bool:
    """Community and grid staff award points to the residents of their subtree, never to
    themselves."""
    if not user.is_authenticated or resident.user_id == user.pk:
        return False
    return _staff_over(user, resident.household.code)


def can_spend(user, account, item) -> bool:
    """A resident spends their own points; the staff who keep the store spend for a resident
    at its counter."""
    if not user.is_authenticated:
        return False
    return account.resident.user_id == user.pk or can_stock(user, item.node)


def can_settle(user, redemption) -> bool:
    """Staff of the store's community hand goods out or cancel; a resident may cancel their own."""
    return user.is_authenticated and _staff_over(user, redemption.item.node.code)


def can_stock(user, node) -> bool:
    """Community staff (and those above them) keep their community's store."""
    return user.is_authenticated and _staff_over(user, node.code)
