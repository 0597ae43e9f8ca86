"""The push API over real HTTP: a hotline key or a staff token, one order or many,
idempotent on the Idempotency-Key and on the ticket number, bounded by scope."""

import pytest

from cases.models import Case
from exchange.models import HotlineApiKey, HotlineSystem
from org.models import User
from tests.conftest import Http

URL = "/api/v1/hotline/orders/"


def an_order(ticket="API-1", **changes):
    return {
        "ticket_no": ticket,
        "received_at": "2026-11-01T08:30:00+08:00",
        "caller": "李女士",
        "phone": "13900001111",
        "address": "永康镇朝阳路261号桂梅家园1栋0101室",
        "content": "楼道灯坏了一个星期。晚上上下楼看不见。",
        "category": "路灯不亮",
        "deadline": "2026-11-05T18:00:00+08:00",
        **changes,
    }


@pytest.fixture
def hotline(live_city):
    system = HotlineSystem.objects.get(slug="hotline-12345")
    key = HotlineApiKey(
        system=system, name="市 12345", user=User.objects.get(username="demo-leader")
    )
    raw = key.set_new_key()
    key.save()
    return live_city, raw


def keyed(base_url, raw):
    class KeyHttp(Http):
        def request(self, method, path, body=None, headers=None):
            return super().request(
                method, path, body, {"Authorization": f"Api-Key {raw}", **(headers or {})}
            )

    return KeyHttp(base_url)


def test_a_pushed_order_becomes_a_case_once(hotline):
    base_url, raw = hotline
    client = keyed(base_url, raw)
    status, body = client.post(URL, an_order())
    assert status == 201, body
    assert body["result"] == "created" and body["grid_code"] == "360802001001001"
    case = Case.objects.get(pk=body["case_id"])
    assert (case.source_system, case.external_ref, case.channel) == (
        "hotline-12345",
        "API-1",
        "hotline_12345",
    )
    assert case.category.code == "JS-001"
    # The same ticket again: the same case, nothing new.
    status, again = client.post(URL, an_order(content="再次来电"))
    assert status == 200 and again["result"] == "exists" and again["case_id"] == case.pk
    assert Case.objects.count() == 1
    # The status comes back by ticket number, without the phone.
    status, state = client.get(f"{URL}API-1/")
    assert status == 200 and state["case_number"] == case.number
    assert state["status"] == "submitted" and "phone" not in state


def test_an_idempotency_key_replays_the_first_answer(hotline):
    base_url, raw = hotline
    client = keyed(base_url, raw)
    headers = {"Idempotency-Key": "push-0001"}
    first = client.post(URL, an_order("API-2"), headers=headers)
    second = client.post(URL, an_order("API-2"), headers=headers)
    assert first == second and first[0] == 201
    status, body = client.post(URL, an_order("API-3"), headers=headers)
    assert status == 422 and body["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_a_list_answers_order_by_order(hotline):
    base_url, raw = hotline
    client = keyed(base_url, raw)
    orders = [
        an_order("L1"),
        an_order("L2", received_at="昨天"),
        an_order("L1", content="同一工单又推一次"),
        an_order("L3", address="望星路9号"),
        an_order("L4", content=""),
        "not an order",
    ]
    status, body = client.post(URL, orders)
    assert status == 200
    assert [r["result"] for r in body["results"]] == [
        "created",
        "invalid",
        "exists",
        "created",
        "invalid",
        "invalid",
    ]
    assert (body["created"], body["existing"], body["failed"]) == (2, 1, 3)
    assert "受理时间" in body["results"][1]["detail"]
    assert body["results"][3]["grid_code"] is None  # unknown address: to the dispatcher
    assert set(Case.objects.values_list("external_ref", flat=True)) == {"L1", "L3"}


def test_a_bad_key_gets_a_401_and_an_inactive_one_too(hotline):
    base_url, raw = hotline
    status, body = keyed(base_url, "hk_wrong").post(URL, an_order())
    assert status == 401 and body["code"] == "invalid_key"
    HotlineApiKey.objects.update(is_active=False)
    status, _ = keyed(base_url, raw).post(URL, an_order())
    assert status == 401
    status, _ = Http(base_url).post(URL, an_order())
    assert status == 401


def test_staff_push_with_their_token_and_stay_in_their_scope(hotline):
    base_url, _ = hotline
    secretary = Http(base_url).login("demo-community")
    status, body = secretary.post(f"{URL}?system=hotline-12345", an_order("T1"))
    assert status == 201, body
    outside = an_order("T2", address="桂柳镇南阳村新华路131号龙凤公寓1栋")
    status, body = secretary.post(URL, outside)
    assert status == 400 and body["code"] == "out_of_scope"
    status, body = secretary.post(f"{URL}?system=nope", an_order("T3"))
    assert status == 404
    # Residents and department staff do not push orders.
    for username in ("demo-resident", "demo-dept"):
        status, body = Http(base_url).login(username).post(URL, an_order("T4"))
        assert status == 403 and body["code"] == "permission_denied"
    assert set(Case.objects.values_list("external_ref", flat=True)) == {"T1"}


def test_the_status_of_an_order_outside_the_scope_is_not_found(hotline):
    base_url, raw = hotline
    keyed(base_url, raw).post(URL, an_order("O1", address="桂柳镇南阳村新华路131号龙凤公寓1栋"))
    secretary = Http(base_url).login("demo-community")
    status, _ = secretary.get(f"{URL}O1/")
    assert status == 404
    status, _ = Http(base_url).login("demo-leader").get(f"{URL}O1/")
    assert status == 200


def test_a_form_body_is_refused_as_unsupported(hotline):
    import urllib.error
    import urllib.request

    base_url, raw = hotline
    request = urllib.request.Request(
        base_url + URL,
        data=b"ticket_no=F1&content=x",
        method="POST",
        headers={
            "Authorization": f"Api-Key {raw}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 415
    assert not Case.objects.exists()


def test_a_fresh_server_takes_pushed_orders_before_any_page_is_opened(live_city):
    """Loading the preset creates the hotline systems (exchange's preset section): the push
    API finds 12345 on a fresh server, where it used to answer 404 "没有热线系统" until
    someone opened /exchange/hotline/import/."""
    assert set(HotlineSystem.objects.values_list("slug", flat=True)) == {
        "hotline-12345",
        "hotline-12343",  # jizhou has both channels
    }
    leader = Http(live_city).login("demo-leader")
    status, body = leader.post(URL, an_order("FRESH-1"))
    assert status == 201, body
    assert Case.objects.get(pk=body["case_id"]).source_system == "hotline-12345"


def test_a_pushed_historical_order_keeps_its_state_text_and_point(hotline):
    base_url, raw = hotline
    client = keyed(base_url, raw)
    text = ("楼道灯坏了一个星期，晚上上下楼看不见。" * 400)[:6500]
    order = an_order(
        "API-H1",
        content=text,
        lng=-71.0587,
        lat=42.3601,
        status="已归档",
        resolved_at="2026-11-04T16:00:00+08:00",
        result="已更换灯泡",
        satisfaction="满意",
    )
    status, body = client.post(URL, order)
    assert status == 201, body
    case = Case.objects.get(pk=body["case_id"])
    assert body["status"] == case.status == "closed" and case.result == "已更换灯泡"
    assert case.full_text == text and len(case.description) <= 5000
    assert (case.raw_lng, case.raw_lat, case.lng) == (-71.0587, 42.3601, None)
    assert case.events.filter(action="import_history").exists()
    status, body = client.post(URL, an_order("API-H2", received_at="4270-01-01T08:00:00+08:00"))
    assert status == 400 and "不可信" in body["detail"]
