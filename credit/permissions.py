"""Who may award, spend and settle credit points."""

from org.scoping import staff_codes


def _staff_over(user, code: str) -> bool:
    if user.is_superuser:
        return True
    return any(code.startswith(prefix) for prefix in staff_codes(user))


def can_award(user, resident) -> bool:
    """Community and grid staff award points to the residents of their subtree."""
    return user.is_authenticated and _staff_over(user, resident.household.code)


def can_spend(user, account) -> bool:
    """A resident spends their own points; staff spend for a resident at the store's counter."""
    if not user.is_authenticated:
        return False
    if account.resident.user_id == user.pk:
        return True
    return _staff_over(user, account.resident.household.code)


def can_settle(user, redemption) -> bool:
    """Staff of the store's community hand goods out or cancel; a resident may cancel their own."""
    return user.is_authenticated and _staff_over(user, redemption.item.node.code)
