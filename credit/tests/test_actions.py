"""Credit points: awards, the ledger, the store, and who may do what."""

from decimal import Decimal

import pytest

from credit.actions import (
    account_for,
    do_add_store_item,
    do_award_points,
    do_cancel_redemption,
    do_fulfil_redemption,
    do_redeem,
    do_restock,
)
from credit.models import CreditAccount, CreditEntry, IncentiveRule, RedemptionStatus, StoreItem
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from org.models import User


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def world(db, city):
    community = user("demo-community")
    resident = user("demo-resident").resident
    store = community.assignments.get().node
    item = do_add_store_item(store, actor=community, name="大米五斤", cost=10, stock=2)
    deed = IncentiveRule.objects.get(key="neighbour_help")  # 2 points a deed
    return community, resident, item, deed


def balance(resident):
    return CreditAccount.objects.get(resident=resident).balance


def test_an_award_credits_the_points_and_writes_the_balance_after_it(world):
    community, resident, _, deed = world
    first = do_award_points(resident, deed, actor=community, quantity=3, note="扫雪")
    second = do_award_points(resident, deed, actor=user("demo-grid"))
    assert (first.delta, first.balance_after) == (6, 6)
    assert (second.delta, second.balance_after) == (2, 8)
    account = CreditAccount.objects.get(resident=resident)
    assert (account.balance, account.earned) == (8, 8)


def test_volunteer_hours_are_counted_and_paid_per_hour(world):
    community, resident, _, _ = world
    hour = IncentiveRule.objects.get(key="volunteer_hour")
    entry = do_award_points(resident, hour, actor=community, quantity=Decimal("1.5"))
    assert entry.delta == 3  # 2 points an hour
    assert CreditAccount.objects.get(resident=resident).volunteer_hours == Decimal("1.5")


@pytest.mark.parametrize("quantity", ["0", "-1", "101", "1.5", "abc", "NaN", "Infinity"])
def test_a_bad_quantity_is_refused_and_nothing_is_written(world, quantity):
    community, resident, _, deed = world
    with pytest.raises(InvalidInput):
        do_award_points(resident, deed, actor=community, quantity=quantity)
    assert not CreditEntry.objects.exists()


@pytest.mark.parametrize("username", ["demo-resident", "demo-dept"])
def test_residents_and_departments_cannot_award_points(world, username):
    _, resident, _, deed = world
    with pytest.raises(NotPermitted):
        do_award_points(resident, deed, actor=user(username))


def test_an_award_with_a_source_is_paid_once(world):
    community, resident, _, deed = world
    first = do_award_points(resident, deed, actor=community, source="order:1")
    again = do_award_points(resident, deed, actor=community, source="order:1")
    assert again.pk == first.pk and balance(resident) == 2


def test_a_redemption_spends_points_and_stock_and_the_ledger_adds_up(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=6)
    redemption = do_redeem(account_for(resident), item, actor=user("demo-resident"))
    item.refresh_from_db()
    assert (balance(resident), item.stock, redemption.cost) == (2, 1, 10)
    entries = CreditEntry.objects.filter(account__resident=resident)
    assert sum(e.delta for e in entries) == balance(resident)
    assert entries.first().balance_after == balance(resident)


def test_too_few_points_is_409_and_leaves_stock_and_balance_alone(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=4)  # 8 < 10
    with pytest.raises(Conflict) as refused:
        do_redeem(account_for(resident), item, actor=community)
    assert refused.value.code == "insufficient_points"
    item.refresh_from_db()
    assert (balance(resident), item.stock) == (8, 2)


def test_an_empty_shelf_is_409(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=20)
    account = account_for(resident)
    do_redeem(account, item, actor=community)
    do_redeem(account, item, actor=community)
    with pytest.raises(Conflict) as refused:
        do_redeem(account, item, actor=community)
    assert refused.value.code == "out_of_stock" and balance(resident) == 20


@pytest.mark.parametrize("username", ["demo-volunteer", "demo-grid"])
def test_only_the_resident_and_the_stores_staff_spend_a_residents_points(world, username):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=10)
    with pytest.raises(NotPermitted):
        do_redeem(account_for(resident), item, actor=user(username))


def test_nobody_awards_points_to_themselves(world):
    _, _, _, deed = world
    volunteer = user("demo-volunteer")
    with pytest.raises(NotPermitted):
        do_award_points(volunteer.resident, deed, actor=volunteer)


def test_cancelling_refunds_and_restocks_once(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=5)
    redemption = do_redeem(account_for(resident), item, actor=user("demo-resident"))
    do_cancel_redemption(redemption, actor=user("demo-resident"), reason="不要了")
    with pytest.raises(Conflict):
        do_cancel_redemption(redemption, actor=community)
    item.refresh_from_db()
    assert (balance(resident), item.stock) == (10, 2)
    assert redemption.status == RedemptionStatus.CANCELLED


def test_only_the_stores_staff_hand_goods_out(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=5)
    redemption = do_redeem(account_for(resident), item, actor=community)
    with pytest.raises(NotPermitted):
        do_fulfil_redemption(redemption, actor=user("demo-resident"))
    assert do_fulfil_redemption(redemption, actor=community).status == RedemptionStatus.FULFILLED
    with pytest.raises(Conflict):
        do_cancel_redemption(redemption, actor=community)


def test_restocking_is_relative_and_never_below_zero(world):
    community, _, item, _ = world
    assert do_restock(item, 5, actor=community).stock == 7
    with pytest.raises(Conflict):
        do_restock(item, -8, actor=community)
    with pytest.raises(NotPermitted):
        do_restock(item, 1, actor=user("demo-grid"))  # a grid worker keeps no store
    assert StoreItem.objects.get(pk=item.pk).stock == 7


def test_the_store_of_a_community_is_seen_by_its_grids_people_only(world):
    _, _, item, _ = world
    for username in ("demo-resident", "demo-grid", "demo-volunteer", "demo-community"):
        assert StoreItem.objects.restrict(user(username)).filter(pk=item.pk).exists(), username
    other = StoreItem.objects.exclude(node=item.node)
    assert not other.restrict(user("demo-resident")).exists()


def test_a_volunteer_neither_awards_nor_opens_a_store_at_their_grid(world):
    _, resident, _, deed = world
    volunteer = user("demo-volunteer")
    with pytest.raises(NotPermitted):
        do_award_points(resident, deed, actor=volunteer)
    grid = volunteer.assignments.get().node
    for actor in (volunteer, user("demo-grid")):  # a store belongs to a community, not a grid
        with pytest.raises(NotPermitted):
            do_add_store_item(grid, actor=actor, name="x", cost=1, stock=1)


def test_every_change_of_stock_is_a_row(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=10)
    redemption = do_redeem(account_for(resident), item, actor=community)
    do_cancel_redemption(redemption, actor=community)
    do_restock(item, -1, actor=community)
    changes = list(item.stock_changes.order_by("pk").values_list("reason", "delta", "stock_after"))
    assert changes == [("add", 2, 2), ("redeem", -1, 1), ("cancel", 1, 2), ("restock", -1, 1)]


def test_the_price_is_read_when_the_item_is_taken(world):
    community, resident, item, deed = world
    do_award_points(resident, deed, actor=community, quantity=10)  # 20 points
    StoreItem.objects.filter(pk=item.pk).update(cost=15)  # repriced after the page was read
    redemption = do_redeem(account_for(resident), item, actor=community)
    assert redemption.cost == 15 and balance(resident) == 5
