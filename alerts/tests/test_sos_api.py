"""The vendors' endpoint over real HTTP: keys and their scope, bad input, presses within a
minute as one alarm, a press sent again. (Simultaneous presses: ``test_sos_races``.)"""

from datetime import timedelta

from django.utils import timezone

from alerts.models import Alarm, AlarmEvent, Device, Vendor
from alerts.sos.actions import do_press
from alerts.tests.sos_factories import bound_device, demo_grid, resident_of, vendor_with_key
from gridgov.masking import mask_address
from outbox.models import Outbox
from tests.conftest import Http, live_city  # noqa: F401 (fixture)


def press(http, key, body):
    return http.post("/api/v1/sos/", body, headers={"X-Vendor-Key": key} if key else None)


def at(moment):
    return moment.isoformat()


def test_a_vendor_key_opens_the_sos_endpoint_and_nothing_else(live_city):  # noqa: F811
    vendor, key = vendor_with_key()
    grid = demo_grid()
    bound_device(vendor, resident_of(grid))
    Device.objects.create(vendor=vendor, device_id="WB-FREE")  # not bound
    bound_device(vendor, resident_of(grid, 1), device_id="WB-OFF", is_active=False)
    http = Http(live_city)
    now = timezone.now()

    # Stored hashed: the key is in no column.
    stored = Vendor.objects.values_list("key_prefix", "key_digest").get()
    assert key not in stored and key.split("_")[1] == stored[0]

    status, body = press(http, "", {"device_id": "WB-0001", "pressed_at": at(now)})
    assert (status, body["code"]) == (401, "invalid_vendor_key")
    status, body = press(http, key + "x", {"device_id": "WB-0001", "pressed_at": at(now)})
    assert status == 401
    # The key opens nothing else, as a header or as a bearer token.
    assert http.get("/api/v1/cases/", headers={"X-Vendor-Key": key})[0] == 401
    assert Http(live_city, token=key).get("/api/v1/alerts/alarms/")[0] == 401
    assert Http(live_city, token=key).get("/api/v1/volunteer/orders/")[0] == 401

    cases = [
        ({"device_id": "NOPE", "pressed_at": at(now)}, 404, "unknown_device"),
        ({"device_id": "WB-FREE", "pressed_at": at(now)}, 409, "device_unbound"),
        ({"device_id": "WB-OFF", "pressed_at": at(now)}, 409, "device_inactive"),
        ({"device_id": "WB-0001", "pressed_at": at(now + timedelta(hours=1))}, 400, "invalid"),
        ({"device_id": "WB-0001", "pressed_at": at(now - timedelta(days=2))}, 400, "invalid"),
        ({"device_id": "WB-0001", "pressed_at": "昨天"}, 400, "invalid"),
        ({"device_id": "WB-0001", "pressed_at": at(now), "lat": 95, "lng": 1}, 400, "invalid"),
        ({"device_id": "WB-0001", "pressed_at": at(now), "lat": 27.1}, 400, "invalid"),
        ({"pressed_at": at(now)}, 400, "invalid"),
        ([{"device_id": "WB-0001"}], 400, "invalid"),  # not an object
        ("WB-0001", 400, "invalid"),
    ]
    for body, expected, code in cases:
        status, answer = press(http, key, body)
        assert (status, answer["code"]) == (expected, code), (body, answer)
        assert answer["detail"] and not answer["detail"].isascii(), answer
    assert not Alarm.objects.exists()


def test_presses_within_a_minute_are_one_alarm_and_a_resend_adds_nothing(live_city):  # noqa: F811
    vendor, key = vendor_with_key()
    grid = demo_grid()
    bound_device(vendor, resident_of(grid))
    http = Http(live_city)
    first = timezone.now() - timedelta(minutes=3)
    body = {"device_id": "WB-0001", "pressed_at": at(first), "lat": 27.1, "lng": 114.9}

    status, answer = press(http, key, body)
    assert status == 201 and answer["created"] and answer["presses"] == 1
    alarm = Alarm.objects.get(pk=answer["alarm"])
    assert alarm.grid == grid and alarm.status == "open"
    # The first step is told in the press's own transaction: the demo grid worker's inbox.
    told = Outbox.objects.filter(event="sos.pressed", channel="inbox")
    assert "demo-grid" in set(told.values_list("recipient__username", flat=True))

    assert press(http, key, body) == (200, {**answer, "created": False})  # the same press again
    again = {**body, "pressed_at": at(first + timedelta(seconds=40))}
    status, answer = press(http, key, again)
    assert (status, answer["alarm"], answer["presses"]) == (200, alarm.pk, 2)
    # A minute after the last press, not the first, is still the same call for help.
    later = {**body, "pressed_at": at(first + timedelta(seconds=95))}
    assert press(http, key, later)[1]["alarm"] == alarm.pk
    apart = {**body, "pressed_at": at(first + timedelta(seconds=160))}
    status, answer = press(http, key, apart)
    assert status == 201 and answer["alarm"] != alarm.pk
    assert AlarmEvent.objects.filter(alarm=alarm, action="press").count() == 3
    assert (
        told.filter(subject_id=alarm.pk).count() == told.filter(subject_id=answer["alarm"]).count()
    )


def test_the_alarms_api_shows_the_whole_address_only_to_those_who_respond_there(live_city):  # noqa: F811
    vendor, _ = vendor_with_key()
    bound_device(vendor, resident_of(demo_grid()))
    alarm = do_press(vendor, "WB-0001", timezone.now()).alarm
    whole = alarm.resident.household.address
    for username, address in (
        ("demo-grid", whole),  # alerts.respond at the grid: they go to the door
        ("demo-community", whole),
        ("demo-leader", mask_address(whole)),  # sees it (scope), does not respond
    ):
        http = Http(live_city).login(username)
        status, listed = http.get("/api/v1/alerts/alarms/")
        assert status == 200 and [a["address"] for a in listed["results"]] == [address], username
        status, detail = http.get(f"/api/v1/alerts/alarms/{alarm.pk}/")
        assert status == 200 and detail["address"] == address, username
    # A yes/no filter is true/false or a 400, never read as absent.
    status, body = http.get("/api/v1/alerts/alarms/?live=banana")
    assert status == 400 and body["errors"] == {"live": ["只能是 true 或 false"]}
    assert http.get("/api/v1/alerts/alarms/?live=true")[1]["count"] == 1
    # A seat at the grid without the safety net's verbs: the list page is 403, the API
    # lists nothing and opens nothing.
    volunteer = Http(live_city).login("demo-volunteer")
    assert volunteer.get("/api/v1/alerts/alarms/")[1]["count"] == 0
    assert volunteer.get(f"/api/v1/alerts/alarms/{alarm.pk}/")[0] == 404
