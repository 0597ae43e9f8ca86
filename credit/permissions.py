"""Who may award, spend and settle credit points, and who keeps a credit store.

Keepers are the grid's and the community's own staff and those above them, by the duty of
their role; volunteers, partner units and residents' representatives are staff of the grid
too, but they neither award points nor keep a store. A preset may name its keepers' duties
in ``[credit] kept_by``.
"""

from org.models import LevelKind
from org.scoping import duty_codes
from presets.loader import active_section

# Platform default: the seeds do not say who records good deeds.
DEFAULT_KEEPERS = (
    "grid_worker",
    "grid_leader",
    "community_secretary",
    "community_worker",
    "work_committee_member",
    "street_staff",
    "district_staff",
    "leader",
    "supervisor",
)


def keeper_duties() -> tuple[str, ...]:
    return active_section("credit").kept_by or DEFAULT_KEEPERS


_CACHE_ATTR = "_gridgov_keeper_codes"


def keeper_codes(user) -> list[str]:
    """Codes of the nodes where the user is a keeper; kept on the user object for the
    request, as the scope is, so a list page asks once and not once per row."""
    codes = getattr(user, _CACHE_ATTR, None)
    if codes is None:
        codes = duty_codes(user, keeper_duties()) if user.is_authenticated else []
        setattr(user, _CACHE_ATTR, codes)
    return codes


def keeps(user, code: str) -> bool:
    """Whether the user is a keeper at ``code`` or above it."""
    if user.is_authenticated and user.is_superuser:
        return True
    return any(code.startswith(prefix) for prefix in keeper_codes(user))


def can_award(user, resident) -> bool:
    """Keepers award points to the residents of their subtree, never to themselves."""
    if not user.is_authenticated or resident.user_id == user.pk:
        return False
    return keeps(user, resident.household.code)


def can_stock(user, node) -> bool:
    """Stores belong to administrative nodes (a community, a street), kept by their keepers."""
    return node.level.kind == LevelKind.ADMIN and keeps(user, node.code)


def can_spend(user, account, item) -> bool:
    """A resident spends their own points; the store's keepers spend for a resident at its
    counter."""
    if not user.is_authenticated:
        return False
    return account.resident.user_id == user.pk or keeps(user, item.node.code)


def can_settle(user, redemption) -> bool:
    """The store's keepers hand goods out and cancel."""
    return keeps(user, redemption.item.node.code)


def can_cancel(user, redemption) -> bool:
    """A resident cancels their own uncollected redemption; the store's keepers any."""
    return redemption.account.resident.user_id == user.pk or can_settle(user, redemption)
