"""The SOS pages are scoped: the alarm's grid and those above it see it and act; another
grid's worker finds nothing (404); someone without ``alerts.respond`` gets no list (403).
The home panel and the watch list show open alarms; the early-warning rule flags the
unanswered one."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alarm
from alerts.sos.actions import do_alarm_action, do_press
from alerts.sos.keys import do_rotate_vendor_key, vendor_for
from alerts.sos.offers import open_sos, unanswered
from alerts.tests.sos_factories import bound_device, demo_grid, resident_of, vendor_with_key
from gridgov.errors import NotPermitted
from gridgov.masking import mask_address
from org.models import OrgNode, RoleAssignment, User
from tests.conftest import city  # noqa: F401 (fixture)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def other_grid_worker(grid) -> User:
    seat = (
        RoleAssignment.objects.filter(role__duty="grid_worker", department=None)
        .exclude(node=grid)
        .exclude(node__parent=grid.parent)
        .select_related("user")
        .first()
    )
    return seat.user


def test_the_pages_show_the_alarm_to_its_grid_and_community_only(db, city):  # noqa: F811
    grid = demo_grid()
    vendor, _ = vendor_with_key()
    bound_device(vendor, resident_of(grid))
    alarm = do_press(vendor, "WB-0001", timezone.now()).alarm
    worker = User.objects.get(username="demo-grid")
    community = User.objects.get(username="demo-community")

    page = client_for(worker).get("/sos/")
    assert page.status_code == 200 and f'data-alarm="{alarm.pk}"' in page.content.decode()
    assert alarm.resident.name not in page.content.decode()  # masked
    assert client_for(worker).get(f"/sos/{alarm.pk}/").status_code == 200
    home = client_for(worker).get("/").content.decode()
    assert 'data-panel="alerts-sos"' in home and "1 条求助待响应" in home
    assert f'data-alarm="{alarm.pk}"' in client_for(community).get("/sos/").content.decode()
    # Seeing is scoping: the leader reads the list and the alarm, without buttons.
    leader = client_for(User.objects.get(username="demo-leader"))
    assert f'data-alarm="{alarm.pk}"' in leader.get("/sos/").content.decode()
    read = leader.get(f"/sos/{alarm.pk}/").content.decode()
    assert "data-action=" not in read
    # The timeline in the server's order: the press, then whom the first step told (staff
    # named in full, as everywhere else, with their seat's name), never 「通知 1 人」.
    assert read.index("按键求助") < read.index("通知")
    assert "通知 1 人" not in read and "）" in read.split("通知", 2)[-1]
    told = alarm.events.get(action="escalate").note
    assert worker.display_name and f"{worker.display_name}（" in told and "*" not in told, told
    resident = User.objects.get(username="demo-resident")
    assert client_for(resident).get("/sos/").status_code == 403
    assert client_for(resident).get(f"/sos/{alarm.pk}/").status_code == 404

    stranger = other_grid_worker(grid)
    assert client_for(stranger).get(f"/sos/{alarm.pk}/").status_code == 404
    assert f'data-alarm="{alarm.pk}"' not in client_for(stranger).get("/sos/").content.decode()
    answer = client_for(stranger).post(f"/sos/{alarm.pk}/acknowledge/")
    assert answer.status_code == 404
    volunteer = User.objects.get(username="demo-volunteer")
    assert client_for(volunteer).get("/sos/").status_code == 403
    assert client_for(volunteer).get("/sos/devices/").status_code == 403
    assert 'data-panel="alerts-sos"' not in client_for(volunteer).get("/").content.decode()

    # The watch list of the community's subtree, and not of another street's.
    assert [row["tone"] for row in open_sos(grid.parent.code, 10)] == ["red"]
    assert open_sos(grid.parent.code, 10)[0]["when_label"] == "求助"  # the press, no deadline
    other = OrgNode.objects.filter(level=grid.parent.level).exclude(pk=grid.parent_id).first()
    assert open_sos(other.code, 10) == []
    arrived = client_for(worker).post(f"/sos/{alarm.pk}/arrive/", follow=True).content.decode()
    assert "已到场。" in arrived and "已已" not in arrived


def test_the_address_is_whole_only_on_the_alarm_page_of_those_who_respond_there(db, city):  # noqa: F811
    grid = demo_grid()
    vendor, _ = vendor_with_key()
    bound_device(vendor, resident_of(grid))
    alarm = do_press(vendor, "WB-0001", timezone.now()).alarm
    whole = alarm.resident.household.address
    masked = mask_address(whole)
    assert masked != whole

    # alerts.respond at the alarm's grid (the grid's worker, the community above): whole on
    # the alarm's page, masked in the list and on the home panel.
    for username in ("demo-grid", "demo-community"):
        client = client_for(User.objects.get(username=username))
        assert whole in client.get(f"/sos/{alarm.pk}/").content.decode(), username
        for page in ("/sos/", "/"):
            body = client.get(page).content.decode()
            assert masked in body and whole not in body, (username, page)
    # The leader sees the alarm (scope) but does not respond: masked on the alarm's page too.
    leader = client_for(User.objects.get(username="demo-leader"))
    read = leader.get(f"/sos/{alarm.pk}/").content.decode()
    assert masked in read and whole not in read
    # The dashboards' watch list: masked.
    (row,) = open_sos(grid.code, 10)
    assert masked in row["title"] and whole not in row["title"]
    # The devices page is a list too: masked for its managers, even those who may reveal
    # the resident's details elsewhere.
    for username in ("demo-community", "demo-leader"):
        body = client_for(User.objects.get(username=username)).get("/sos/devices/")
        assert body.status_code == 200, username
        assert 'data-device="WB-0001"' in body.content.decode(), username
        assert masked in body.content.decode() and whole not in body.content.decode(), username


def test_the_home_panel_shows_to_exactly_those_who_may_open_the_list(db, city):  # noqa: F811
    grid = demo_grid()
    vendor, _ = vendor_with_key()
    bound_device(vendor, resident_of(grid))
    do_press(vendor, "WB-0001", timezone.now())
    shown = {}
    for user in User.objects.filter(username__startswith="demo-").order_by("username"):
        client = client_for(user)
        opens = client.get("/sos/").status_code == 200
        home = client.get("/").content.decode()
        assert opens == ('data-panel="alerts-sos"' in home), user.username
        assert opens == ('href="/sos/"' in home), user.username  # the header's 求助 link
        shown[user.username] = opens
    # A leader who handles warnings and manages devices (no alerts.respond) sees it too.
    assert shown["demo-leader"] and shown["demo-grid"] and not shown["demo-resident"]


def test_the_warning_rule_flags_the_alarm_nobody_answered_in_time(db, city):  # noqa: F811
    grid = demo_grid()
    vendor, _ = vendor_with_key()
    bound_device(vendor, resident_of(grid))
    bound_device(vendor, resident_of(grid, 1), device_id="WB-0002")
    day = timezone.localdate() - timedelta(days=1)
    nine = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    nine += timedelta(hours=9)
    quick = do_press(vendor, "WB-0001", nine, now=nine).alarm
    slow = do_press(vendor, "WB-0002", nine, now=nine).alarm
    worker = User.objects.get(username="demo-grid")
    do_alarm_action(quick.pk, "arrive", actor=worker, at=nine + timedelta(minutes=3))
    do_alarm_action(quick.pk, "close", actor=worker, at=nine + timedelta(minutes=40))
    do_alarm_action(slow.pk, "acknowledge", actor=worker, at=nine + timedelta(minutes=25))
    signals = list(unanswered(day))
    assert [s.subject for s in signals] == [f"alarm={slow.pk}"]
    assert signals[0].node_code == grid.code and "25 分钟后才响应" in signals[0].reason
    assert list(unanswered(day)) == signals  # a rerun gives the same
    assert Alarm.objects.count() == 2


def test_a_rotated_vendor_key_replaces_the_old_one_at_once(db, city):  # noqa: F811
    vendor, old = vendor_with_key()
    assert vendor_for(old) == vendor
    _, new = do_rotate_vendor_key(vendor.pk, actor=User.objects.get(username="demo-admin"))
    assert vendor_for(old) is None and vendor_for(new) == vendor
    with pytest.raises(NotPermitted):
        do_rotate_vendor_key(vendor.pk, actor=User.objects.get(username="demo-grid"))
