"""The pages of the volunteer marketplace and of credit points: what each person sees,
and every form, through Django's test client."""

import pytest
from django.urls import reverse

from credit.actions import account_for, do_add_store_item, do_award_points, do_redeem
from credit.models import CreditAccount, IncentiveRule, Redemption, RedemptionStatus, StoreItem
from org.models import User
from participation.actions import do_post_order
from participation.models import OrderStatus, ServiceOrder
from tests.conftest import DEMO_USERS

pytestmark = pytest.mark.usefixtures("city", "db")


def user(username):
    return User.objects.get(username=username)


def logged_in(client, username):
    client.force_login(user(username))
    return client


@pytest.fixture
def store():
    community = user("demo-community")
    node = community.assignments.get().node
    return do_add_store_item(node, actor=community, name="鸡蛋一盒", cost=4, stock=3)


@pytest.fixture
def wish():
    return do_post_order(actor=user("demo-resident"), kind="wish", title="想要一台收音机")


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_role_opens_the_market_and_the_credit_page(client, username, wish, store):
    logged_in(client, username)
    for name in ("participation:market", "credit:index"):
        response = client.get(reverse(name))
        assert response.status_code == 200, (username, name)
        assert "志愿服务" in response.text and "信用积分" in response.text  # the nav links


def test_the_volunteer_sees_the_wish_with_a_masked_name_and_takes_it(client, wish):
    page = logged_in(client, "demo-volunteer").get(reverse("participation:market"))
    name = user("demo-resident").resident.name
    assert wish.title in page.text and name not in page.text
    assert name[0] + "*" * (len(name) - 1) in page.text
    assert 'data-action="take"' in page.text
    response = client.post(
        reverse("participation:act", args=[wish.pk, "take"]),
        {"version": wish.version, "next": reverse("participation:market")},
    )
    assert response.status_code == 302 and response.url == reverse("participation:market")
    assert ServiceOrder.objects.get(pk=wish.pk).taker == user("demo-volunteer")


def test_the_volunteer_completes_and_the_resident_confirms_on_the_order_page(client, wish):
    logged_in(client, "demo-volunteer")
    client.post(reverse("participation:act", args=[wish.pk, "take"]), {"version": 1})
    detail = client.get(reverse("participation:detail", args=[wish.pk]))
    assert 'name="hours"' in detail.text
    client.post(
        reverse("participation:act", args=[wish.pk, "complete"]),
        {"version": 2, "hours": "2", "note": "已送到"},
    )
    assert ServiceOrder.objects.get(pk=wish.pk).status == OrderStatus.DONE
    logged_in(client, "demo-resident")
    mine = client.get(reverse("participation:market"))  # a resident starts on 我的点单
    assert wish.title in mine.text and 'aria-current="page">我的点单' in mine.text
    detail = client.get(reverse("participation:detail", args=[wish.pk]))
    assert 'data-action="confirm"' in detail.text
    client.post(reverse("participation:act", args=[wish.pk, "confirm"]), {"version": 3})
    order = ServiceOrder.objects.get(pk=wish.pk)
    assert (order.status, order.points) == (OrderStatus.CONFIRMED, 4)
    logged_in(client, "demo-volunteer")
    page = client.get(reverse("credit:index"))
    assert "志愿服务:想要一台收音机" in page.text


def test_a_late_taker_is_told_the_order_is_gone(client, wish):
    logged_in(client, "demo-grid")
    client.post(reverse("participation:act", args=[wish.pk, "take"]), {"version": 1})
    logged_in(client, "demo-volunteer")
    response = client.post(
        reverse("participation:act", args=[wish.pk, "take"]), {"version": 1}, follow=True
    )
    assert "已被他人接单" in response.text


def test_a_resident_posts_a_wish_and_staff_post_for_a_resident(client):
    logged_in(client, "demo-resident")
    form = client.get(reverse("participation:new"))
    assert form.status_code == 200 and 'name="grid"' not in form.text
    response = client.post(reverse("participation:new"), {"kind": "wish", "title": "学用手机"})
    order = ServiceOrder.objects.get(title="学用手机")
    assert response.url == reverse("participation:detail", args=[order.pk])
    resident = user("demo-resident").resident
    logged_in(client, "demo-community")
    url = reverse("participation:new") + f"?resident={resident.pk}"
    assert resident.name in client.get(url).text
    client.post(url, {"kind": "order", "title": "代购药品", "resident": resident.pk})
    assert ServiceOrder.objects.get(title="代购药品").requester == resident


@pytest.mark.parametrize("value", ["²", "abc", "99999999999999999999999"])
def test_odd_numbers_in_forms_answer_404_or_a_message_never_500(client, store, value):
    logged_in(client, "demo-community")
    assert client.get(reverse("participation:new") + f"?resident={value}").status_code == 404
    for data in ({"item": value}, {"item": store.pk, "resident": value}):
        assert client.post(reverse("credit:redeem"), data).status_code in (302, 404)
    response = client.post(reverse("credit:restock", args=[store.pk]), {"quantity": value})
    assert response.status_code == 302


def test_a_volunteer_neither_awards_nor_keeps_a_store(client, store):
    resident = user("demo-resident").resident
    logged_in(client, "demo-volunteer")
    page = client.get(reverse("residents:person", args=[resident.pk]))
    assert "记积分" not in page.text and "代为兑换" not in page.text
    rule = IncentiveRule.objects.get(key="clean_up")
    client.post(reverse("credit:award", args=[resident.pk]), {"rule": rule.pk, "quantity": "100"})
    assert not CreditAccount.objects.filter(resident=resident).exists()
    grid = user("demo-volunteer").assignments.get().node
    client.post(reverse("credit:add_item"), {"node": grid.code, "name": "x", "cost": "1"})
    assert not StoreItem.objects.filter(name="x").exists()


def test_bad_posts_answer_400_or_404_with_a_reason(client):
    logged_in(client, "demo-resident")
    empty = client.post(reverse("participation:new"), {"kind": "wish", "title": " "})
    assert empty.status_code == 400 and "请填写需求" in empty.text
    logged_in(client, "demo-grid")
    assert client.get(reverse("participation:new") + "?resident=abc").status_code == 404
    assert client.get(reverse("participation:new") + "?resident=999999").status_code == 404


def test_an_order_outside_the_scope_is_404(client, wish):
    logged_in(client, "demo-dept")
    assert client.get(reverse("participation:detail", args=[wish.pk])).status_code == 404
    response = client.post(reverse("participation:act", args=[wish.pk, "take"]))
    assert response.status_code == 404


def test_staff_award_points_on_the_person_page_and_redeem_for_the_resident(client, store):
    resident = user("demo-resident").resident
    logged_in(client, "demo-community")
    page = client.get(reverse("residents:person", args=[resident.pk]))
    assert "记积分" in page.text and "代为兑换" in page.text
    rule = IncentiveRule.objects.get(key="clean_up")  # 3 points
    client.post(reverse("credit:award", args=[resident.pk]), {"rule": rule.pk, "quantity": "2"})
    assert CreditAccount.objects.get(resident=resident).balance == 6
    person = reverse("residents:person", args=[resident.pk])
    response = client.post(
        reverse("credit:redeem"), {"item": store.pk, "resident": resident.pk, "next": person}
    )
    assert response.url == person
    assert CreditAccount.objects.get(resident=resident).balance == 2


def test_a_grid_worker_awards_but_keeps_no_store(client, store):
    resident = user("demo-resident").resident
    page = logged_in(client, "demo-grid").get(reverse("residents:person", args=[resident.pk]))
    assert "记积分" in page.text and "代为兑换" not in page.text


def test_a_resident_redeems_and_cancels_in_the_store(client, store):
    resident = user("demo-resident").resident
    do_award_points(
        resident,
        IncentiveRule.objects.get(key="clean_up"),
        actor=user("demo-community"),
        quantity=2,
    )
    logged_in(client, "demo-resident")
    assert 'data-action="redeem"' in client.get(reverse("credit:index")).text
    client.post(reverse("credit:redeem"), {"item": store.pk})
    redemption = Redemption.objects.get(account__resident=resident)
    client.post(reverse("credit:settle", args=[redemption.pk, "cancel"]))
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.CANCELLED
    assert CreditAccount.objects.get(resident=resident).balance == 6


def test_too_few_points_is_said_on_the_page(client, store):
    logged_in(client, "demo-resident")
    response = client.post(reverse("credit:redeem"), {"item": store.pk}, follow=True)
    assert "积分不足" in response.text and StoreItem.objects.get(pk=store.pk).stock == 3


def test_the_counter_hands_out_and_the_keeper_restocks_and_adds(client, store):
    resident = user("demo-resident").resident
    do_award_points(
        resident,
        IncentiveRule.objects.get(key="clean_up"),
        actor=user("demo-community"),
        quantity=2,
    )
    redemption = do_redeem(account_for(resident), store, actor=user("demo-resident"))
    logged_in(client, "demo-community")
    page = client.get(reverse("credit:index"))
    assert 'data-action="fulfil"' in page.text and "积分榜" in page.text
    client.post(reverse("credit:settle", args=[redemption.pk, "fulfil"]))
    assert Redemption.objects.get(pk=redemption.pk).status == RedemptionStatus.FULFILLED
    client.post(reverse("credit:restock", args=[store.pk]), {"quantity": "5"})
    assert StoreItem.objects.get(pk=store.pk).stock == 7
    node = store.node
    client.post(
        reverse("credit:add_item"),
        {"node": node.code, "name": "理发券", "cost": "15", "stock": "8"},
    )
    assert StoreItem.objects.get(name="理发券").stock == 8


def test_store_forms_refuse_strangers_and_nonsense(client, store):
    logged_in(client, "demo-grid")
    response = client.post(
        reverse("credit:restock", args=[store.pk]), {"quantity": "5"}, follow=True
    )
    assert "由那里的工作人员管理" in response.text
    logged_in(client, "demo-community")
    for bad in ({"quantity": "x"}, {"quantity": "99999999999"}):
        client.post(reverse("credit:restock", args=[store.pk]), bad)
    assert StoreItem.objects.get(pk=store.pk).stock == 3
    assert client.post(reverse("credit:settle", args=[1, "explode"])).status_code == 404
    logged_in(client, "demo-dept")
    assert (
        client.post(
            reverse("credit:award", args=[user("demo-resident").resident.pk]), {"rule": "1"}
        ).status_code
        == 404
    )


def test_a_form_sent_twice_with_its_token_does_its_work_once(client, store):
    resident = user("demo-resident").resident
    rule = IncentiveRule.objects.get(key="clean_up")
    logged_in(client, "demo-community")
    award = {"rule": rule.pk, "quantity": "2", "once": "a" * 32}
    first = client.post(reverse("credit:award", args=[resident.pk]), award)
    again = client.post(reverse("credit:award", args=[resident.pk]), award, follow=True)
    assert first.status_code == 302 and "已经提交过" in again.text
    assert CreditAccount.objects.get(resident=resident).balance == 6
    redeem = {"item": store.pk, "resident": resident.pk, "once": "b" * 32}
    client.post(reverse("credit:redeem"), redeem)
    client.post(reverse("credit:redeem"), redeem)
    assert Redemption.objects.filter(account__resident=resident).count() == 1
    logged_in(client, "demo-resident")
    wish = {"kind": "wish", "title": "连点两次", "once": "c" * 32}
    first = client.post(reverse("participation:new"), wish)
    second = client.post(reverse("participation:new"), wish)
    assert ServiceOrder.objects.filter(title="连点两次").count() == 1
    assert second.url == first.url  # the repeat lands where the first one went


@pytest.mark.parametrize("hours", ["1e-999999999", "0.0", "-1", "2.25", "nan"])
def test_odd_hours_never_finish_an_order(client, wish, hours):
    logged_in(client, "demo-volunteer")
    client.post(reverse("participation:act", args=[wish.pk, "take"]))
    response = client.post(
        reverse("participation:act", args=[wish.pk, "complete"]), {"hours": hours}, follow=True
    )
    assert "服务时长须在" in response.text
    assert ServiceOrder.objects.get(pk=wish.pk).status == OrderStatus.TAKEN


def test_the_counter_pages_through_every_waiting_redemption(client, store):
    resident = user("demo-resident").resident
    community = user("demo-community")
    do_award_points(
        resident, IncentiveRule.objects.get(key="mediation_help"), actor=community, quantity=100
    )  # 500 points
    from credit.actions import do_restock

    do_restock(store, 30, actor=community)
    for _ in range(25):
        do_redeem(account_for(resident), store, actor=community)
    logged_in(client, "demo-community")
    first = client.get(reverse("credit:index"))
    second = client.get(reverse("credit:index") + "?counter=2")
    assert first.text.count('data-action="fulfil"') == 20
    assert second.text.count('data-action="fulfil"') == 5
    person = client.get(reverse("residents:person", args=[resident.pk]))
    assert person.text.count("发放") >= 25  # each one can also be handed out from her page


def test_a_long_list_of_grids_becomes_a_code_field(client, monkeypatch):
    from participation import views

    logged_in(client, "demo-leader")
    assert 'select name="grid"' in client.get(reverse("participation:new")).text
    monkeypatch.setattr(views, "GRID_CHOICES", 3)
    page = client.get(reverse("participation:new")).text
    assert 'input type="text" name="grid"' in page and "统一编码" in page


def test_the_requesters_name_is_masked_on_the_timeline_for_others(client, wish):
    name = user("demo-resident").resident.name
    page = logged_in(client, "demo-volunteer").get(reverse("participation:detail", args=[wish.pk]))
    assert name not in page.text and name[0] + "*" in page.text
    own = logged_in(client, "demo-resident").get(reverse("participation:detail", args=[wish.pk]))
    assert "我" in own.text


def test_the_requester_may_cancel_a_taken_order(client, wish):
    logged_in(client, "demo-volunteer")
    client.post(reverse("participation:act", args=[wish.pk, "take"]))
    logged_in(client, "demo-resident")
    page = client.get(reverse("participation:detail", args=[wish.pk]))
    assert 'data-action="cancel"' in page.text
    client.post(reverse("participation:act", args=[wish.pk, "cancel"]), {"note": "不用了"})
    assert ServiceOrder.objects.get(pk=wish.pk).status == OrderStatus.CANCELLED


def test_goods_with_a_bad_stock_are_not_put_on_the_shelf(client):
    logged_in(client, "demo-community")
    node = user("demo-community").assignments.get().node
    for stock in ("abc", "99999999999"):
        response = client.post(
            reverse("credit:add_item"),
            {"node": node.code, "name": f"坏库存{stock}", "cost": "5", "stock": stock},
            follow=True,
        )
        assert "库存须为" in response.text or "库存须在" in response.text
    assert not StoreItem.objects.filter(name__startswith="坏库存").exists()


def test_a_department_is_not_offered_to_post(client):
    page = logged_in(client, "demo-dept").get(reverse("participation:market"))
    assert reverse("participation:new") not in page.text


def test_the_ranking_counts_what_was_earned(client, store):
    resident = user("demo-resident").resident
    community = user("demo-community")
    do_award_points(
        resident, IncentiveRule.objects.get(key="clean_up"), actor=community, quantity=2
    )
    do_redeem(account_for(resident), store, actor=community)
    page = logged_in(client, "demo-community").get(reverse("credit:index")).text
    ranking = page[page.index('id="ranking"') :]
    assert resident.name in ranking and "<strong>6</strong>" in ranking


@pytest.mark.parametrize("url", ["participation:market", "credit:index"])
def test_list_pages_ask_the_same_queries_however_many_rows(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    community = user("demo-community")
    node = community.assignments.get().node
    resident = user("demo-resident").resident

    def add_rows(n):
        for i in range(n):
            do_post_order(
                actor=community, kind="order", title=f"查询数{i}", requester_id=resident.pk
            )
            do_add_store_item(node, actor=community, name=f"查询数{i}", cost=5, stock=1)

    def count():
        logged_in(client, "demo-community")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url), {"tab": "all"}).status_code == 200
        return len(queries.captured_queries)

    add_rows(2)
    few = count()
    add_rows(8)
    assert count() == few
