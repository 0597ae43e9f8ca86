"""Volunteer orders and micro-wishes: posting, taking, doing, and the points it earns."""

from decimal import Decimal

import pytest

from credit.models import CreditAccount, CreditEntry
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import OrgNode, User
from outbox.models import Outbox
from participation.actions import allowed_actions, do_order_action, do_post_order
from participation.models import OrderEvent, OrderStatus, ServiceOrder


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def wish(db, city):
    """demo-resident's own micro-wish, in their grid."""
    return do_post_order(actor=user("demo-resident"), kind="wish", title="想学用智能手机")


def test_a_resident_wishes_for_themselves_in_their_own_grid(wish):
    resident = user("demo-resident").resident
    assert wish.requester == resident and wish.node == resident.household.grid
    assert wish.status == OrderStatus.OPEN
    assert list(wish.events.values_list("action", flat=True)) == ["post"]


def test_staff_post_an_order_for_a_resident_of_their_subtree(db, city):
    resident = user("demo-resident").resident
    order = do_post_order(
        actor=user("demo-community"), kind="order", title="代购药品", requester_id=resident.pk
    )
    assert order.node == resident.household.grid and order.created_by == user("demo-community")


def test_a_grid_outside_the_posters_scope_is_refused(db, city):
    foreign = OrgNode.objects.exclude(grid_kind="").order_by("-code").first()
    with pytest.raises(NotPermitted):
        do_post_order(actor=user("demo-grid"), kind="order", title="x", grid_code=foreign.code)


def test_a_volunteer_takes_does_and_is_paid_once_the_requester_confirms(wish):
    volunteer = user("demo-volunteer")
    assert allowed_actions(volunteer, wish) == ["take"]
    order = do_order_action(wish.pk, "take", actor=volunteer, version=1)
    assert (order.status, order.taker, order.version) == (OrderStatus.TAKEN, volunteer, 2)
    order = do_order_action(wish.pk, "complete", actor=volunteer, data={"hours": "1.5"})
    assert order.status == OrderStatus.DONE and order.hours == Decimal("1.5")
    assert not CreditEntry.objects.exists()  # nobody is paid on their own word
    assert "confirm" not in allowed_actions(volunteer, order)
    assert allowed_actions(user("demo-resident"), order) == ["confirm"]
    order = do_order_action(wish.pk, "confirm", actor=user("demo-resident"))
    account = CreditAccount.objects.get(resident=volunteer.resident)
    assert order.status == OrderStatus.CONFIRMED
    assert (order.points, account.balance, account.volunteer_hours) == (3, 3, Decimal("1.5"))
    assert CreditEntry.objects.get(account=account).source == f"order:{order.pk}"
    actions = list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["post", "take", "complete", "confirm"]


def test_the_taker_cannot_confirm_even_as_the_grids_keeper(db, city):
    grid_worker = user("demo-grid")
    order = do_post_order(actor=user("demo-resident"), kind="order", title="修水管")
    do_order_action(order.pk, "take", actor=grid_worker)
    do_order_action(order.pk, "complete", actor=grid_worker, data={"hours": "24"})
    with pytest.raises(NotPermitted):
        do_order_action(order.pk, "confirm", actor=grid_worker)


def test_the_community_may_confirm_fewer_hours_but_not_more(wish):
    volunteer = user("demo-volunteer")
    do_order_action(wish.pk, "take", actor=volunteer)
    do_order_action(wish.pk, "complete", actor=volunteer, data={"hours": "3"})
    community = user("demo-community")
    with pytest.raises(InvalidInput):
        do_order_action(wish.pk, "confirm", actor=community, data={"hours": "4"})
    order = do_order_action(wish.pk, "confirm", actor=community, data={"hours": "1"})
    assert (order.hours, order.points) == (Decimal("1"), 2)


def test_a_taken_order_cannot_be_taken_again(wish):
    do_order_action(wish.pk, "take", actor=user("demo-volunteer"))
    with pytest.raises(Conflict) as refused:
        do_order_action(wish.pk, "take", actor=user("demo-grid"))
    assert refused.value.code == "already_taken"
    assert ServiceOrder.objects.get(pk=wish.pk).taker == user("demo-volunteer")


def test_the_requester_and_outsiders_cannot_take(wish):
    for username in ("demo-resident", "demo-dept"):
        with pytest.raises(NotPermitted):
            do_order_action(wish.pk, "take", actor=user(username))


def test_a_stale_version_is_409(wish):
    do_order_action(wish.pk, "take", actor=user("demo-volunteer"), version=1)
    with pytest.raises(StaleVersion):
        do_order_action(wish.pk, "release", actor=user("demo-volunteer"), version=1)


@pytest.mark.parametrize("hours", ["", "0", "25", "0.3", "x", "NaN", "-Infinity"])
def test_completing_needs_sensible_hours(wish, hours):
    do_order_action(wish.pk, "take", actor=user("demo-volunteer"))
    with pytest.raises(InvalidInput):
        do_order_action(wish.pk, "complete", actor=user("demo-volunteer"), data={"hours": hours})
    assert ServiceOrder.objects.get(pk=wish.pk).status == OrderStatus.TAKEN


def test_released_orders_go_back_to_the_market_and_open_ones_can_be_cancelled(wish):
    do_order_action(wish.pk, "take", actor=user("demo-volunteer"))
    order = do_order_action(
        wish.pk, "release", actor=user("demo-volunteer"), data={"note": "临时有事"}
    )
    assert order.status == OrderStatus.OPEN and order.taker is None
    order = do_order_action(wish.pk, "cancel", actor=user("demo-resident"))
    assert order.status == OrderStatus.CANCELLED
    with pytest.raises(Conflict):
        do_order_action(wish.pk, "take", actor=user("demo-volunteer"))


def test_a_taker_without_a_resident_record_earns_no_points(wish):
    order = do_order_action(wish.pk, "take", actor=user("demo-grid"))
    order = do_order_action(order.pk, "complete", actor=user("demo-grid"), data={"hours": "2"})
    order = do_order_action(order.pk, "confirm", actor=user("demo-resident"))
    assert order.points == 0 and not CreditEntry.objects.exists()


def test_a_volunteer_neither_cancels_nor_hands_back_others_orders(wish):
    assert allowed_actions(user("demo-volunteer"), wish) == ["take"]
    with pytest.raises(NotPermitted):
        do_order_action(wish.pk, "cancel", actor=user("demo-volunteer"))
    assert "cancel" in allowed_actions(user("demo-grid"), wish)  # the grid's keeper


def test_residents_see_their_own_orders_and_volunteers_their_grids(wish):
    other = do_post_order(
        actor=user("demo-community"),
        kind="order",
        title="修水管",
        grid_code=OrgNode.objects.filter(parent=wish.node.parent)
        .exclude(pk=wish.node.pk)
        .exclude(grid_kind="")
        .first()
        .code,
    )
    assert list(ServiceOrder.objects.restrict(user("demo-resident"))) == [wish]
    visible = set(ServiceOrder.objects.restrict(user("demo-volunteer")))
    assert wish in visible and other not in visible
    assert {wish, other} <= set(ServiceOrder.objects.restrict(user("demo-community")))


def test_the_requester_hears_of_each_step_and_the_volunteer_of_the_confirmation(wish):
    """Orders notify through the outbox like cases: the requester when their order is taken
    and done, the volunteer when their hours are confirmed."""
    volunteer, resident = user("demo-volunteer"), user("demo-resident")
    do_order_action(wish.pk, "take", actor=volunteer)
    do_order_action(wish.pk, "complete", actor=volunteer, data={"hours": "1"})
    do_order_action(wish.pk, "confirm", actor=resident)
    about = Outbox.objects.about(ServiceOrder.objects.get(pk=wish.pk))
    told = set(about.values_list("event", "recipient__username"))
    assert {
        ("order_taken", "demo-resident"),
        ("order_done", "demo-resident"),
        ("order_confirmed", "demo-volunteer"),
    } <= told
    assert about.filter(channel="inbox").first().payload["title"]
