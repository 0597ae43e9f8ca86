"""Points cannot be spent twice, the last item cannot be sold twice, and an order cannot
be taken twice (issue 5, part 2), over real HTTP against gunicorn's two worker processes
(on a SQLite file, and on PostgreSQL when DATABASE_URL names it): the database decides,
not a lock inside one process.
"""

import threading
import uuid

import pytest

from tests.conftest import ON_POSTGRES, ON_SQLITE, Http

ROUNDS = 10


def race(calls):
    """Run the (client, path, body) calls at the same moment; their (status, body) answers."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def go(index):
        client, path, body = calls[index]
        barrier.wait()
        answers[index] = client.post(path, body, headers={"Idempotency-Key": uuid.uuid4().hex})

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def ok(answer, status=200):
    assert answer[0] == status, answer
    return answer[1]


def one_wins(answers, code):
    statuses = sorted(status for status, _ in answers)
    assert statuses[0] in (200, 201) and statuses[1:] == [409], answers
    assert [body["code"] for status, body in answers if status == 409] == [code], answers


class Market:
    """The demo community, its store, and two residents with accounts (the resident and
    the volunteer, who lives in the same grid)."""

    def __init__(self, base_url):
        http = Http(base_url)
        self.community = http.login("demo-community")
        self.resident = http.login("demo-resident")
        self.volunteer = http.login("demo-volunteer")
        self.grid = http.login("demo-grid")
        self.resident_id = ok(self.resident.get("/api/v1/credit/accounts/mine/"))["resident"]
        self.volunteer_id = ok(self.volunteer.get("/api/v1/credit/accounts/mine/"))["resident"]
        # The community secretary's own top node is the community that keeps the store.
        self.node_code = ok(self.community.get("/api/v1/org/nodes/"))[0]["code"]

    def fund(self, resident_id, points):
        assert points % 2 == 0  # neighbour_help pays 2 a deed
        body = {"resident": resident_id, "rule": "neighbour_help", "quantity": points // 2}
        ok(self.community.post("/api/v1/credit/awards/", body), 201)

    def item(self, cost, stock):
        body = {
            "node_code": self.node_code,
            "name": f"商品{uuid.uuid4().hex[:6]}",
            "cost": cost,
            "stock": stock,
        }
        return ok(self.community.post("/api/v1/credit/items/", body), 201)["id"]

    def balance(self, client):
        return ok(client.get("/api/v1/credit/accounts/mine/"))["balance"]


def double_spend_rounds(market):
    for _ in range(ROUNDS):
        item = market.item(cost=10, stock=5)
        market.fund(market.resident_id, 10)  # enough for one
        answers = race(
            [
                (market.resident, "/api/v1/credit/redemptions/", {"item": item}),
                (
                    market.community,
                    "/api/v1/credit/redemptions/",
                    {"item": item, "resident": market.resident_id},
                ),
            ]
        )
        one_wins(answers, "insufficient_points")
        assert market.balance(market.resident) == 0
        stock = ok(market.community.get(f"/api/v1/credit/items/{item}/"))["stock"]
        assert stock == 4
    entries = ok(market.resident.get("/api/v1/credit/accounts/mine/"))["entries"]
    assert sum(entry["delta"] for entry in entries) == 0  # every spend matched by an award
    assert entries[0]["balance_after"] == 0


def last_item_rounds(market):
    for _ in range(ROUNDS):
        item = market.item(cost=2, stock=1)
        market.fund(market.resident_id, 2)
        market.fund(market.volunteer_id, 2)
        answers = race(
            [
                (market.resident, "/api/v1/credit/redemptions/", {"item": item}),
                (market.volunteer, "/api/v1/credit/redemptions/", {"item": item}),
            ]
        )
        one_wins(answers, "out_of_stock")
        assert ok(market.community.get(f"/api/v1/credit/items/{item}/"))["stock"] == 0
        balances = sorted([market.balance(market.resident), market.balance(market.volunteer)])
        assert balances[0] == 0 and balances[1] == 2
        # Spend what is left so the next round starts level.
        for client in (market.resident, market.volunteer):
            if market.balance(client):
                spare = market.item(cost=2, stock=1)
                ok(client.post("/api/v1/credit/redemptions/", {"item": spare}), 201)


def double_take_rounds(market):
    for _ in range(ROUNDS):
        order = ok(
            market.community.post(
                "/api/v1/volunteer/orders/",
                {
                    "kind": "wish",
                    "title": "想要一台收音机",
                    "requester": market.resident_id,
                },
            ),
            201,
        )
        path = f"/api/v1/volunteer/orders/{order['id']}/actions/take/"
        answers = race(
            [
                (market.volunteer, path, {"version": order["version"]}),
                (market.grid, path, {"version": order["version"]}),
            ]
        )
        one_wins(answers, "already_taken")
        detail = ok(market.community.get(f"/api/v1/volunteer/orders/{order['id']}/"))
        assert (detail["status"], detail["version"]) == ("taken", 2)
        assert [event["action"] for event in detail["events"]] == ["post", "take"]


@pytest.mark.parametrize("db", [ON_SQLITE, ON_POSTGRES])
def test_points_items_and_orders_cannot_be_had_twice_across_two_gunicorn_processes(db):
    from tests.servers import served

    with served(db) as base_url:
        market = Market(base_url)
        double_spend_rounds(market)
        last_item_rounds(market)
        double_take_rounds(market)
