"""The volunteer orders' API over real HTTP: its filters are strict (a separate module: the
live server builds its own city, the order tests share a committed one)."""

from org.models import User
from participation.actions import do_post_order
from tests.conftest import Http


def test_the_api_refuses_a_yes_no_filter_that_is_neither(live_city):
    do_post_order(
        actor=User.objects.get(username="demo-resident"), kind="wish", title="想学用智能手机"
    )
    resident = Http(live_city).login("demo-resident")
    for name in ("mine", "asked"):
        for value in ("banana", "yes", "2"):
            status, body = resident.get(f"/api/v1/volunteer/orders/?{name}={value}")
            assert status == 400 and body["errors"] == {name: ["只能是 true 或 false"]}, body
    status, body = resident.get("/api/v1/volunteer/orders/?asked=true&mine=false")
    assert status == 200 and body["count"] == 1
