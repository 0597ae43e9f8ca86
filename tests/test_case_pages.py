"""The case pages: the resident's QR report, tracking and rating, the community's public
list, and the staff pages (list, queue, triage, inbox, board, detail and its actions)."""

import datetime as dt
import io
import re

import pytest
import segno
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.actions import Report, do_case_action, do_create_case
from cases.api.views import allowed_actions
from cases.models import Assignment, Case, CasePhoto, Light, Status
from gridgov.errors import InvalidInput
from org.models import Department, OrgNode, User
from outbox.models import InboxMessage

pytestmark = pytest.mark.usefixtures("city", "db")

GPS_IFD = 0x8825
CITY_MANAGEMENT = "360802-city_management"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _user(username):
    return User.objects.get(username=username)


def _login(client, username):
    client.force_login(_user(username))
    return client


def _demo_grid():
    return _user("demo-grid").assignments.get().node


def _other_community_grid():
    """A grid outside demo-community's community (so outside demo-grid's grid too)."""
    return (
        OrgNode.objects.exclude(grid_kind="")
        .exclude(parent=_demo_grid().parent)
        .order_by("code")
        .first()
    )


def _case(grid=None, **fields) -> Case:
    grid = grid or _demo_grid()
    report = Report(
        title=fields.pop("title", "小区门口路灯不亮"),
        description=fields.pop("description", "晚上很黑，老人出行不便"),
        channel=fields.pop("channel", "hotline_12345"),
        grid_code=grid.code,
        reporter_name=fields.pop("reporter_name", "王秀英"),
        reporter_phone=fields.pop("reporter_phone", "13912345678"),
        **fields,
    )
    return do_create_case(report, actor=None)


def _light_up(cases, light):
    """Moves the cases' deadlines so their light now is ``light`` (lights are read from
    the deadlines and the clock)."""
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    due, warn = {Light.RED: (now - hour, now - 2 * hour), Light.YELLOW: (now + hour, now - hour)}[
        light
    ]
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(due_at=due, warn_at=warn)


def _act(case, action, username, **data) -> Case:
    case.refresh_from_db()
    return do_case_action(case.pk, action, actor=_user(username), version=case.version, data=data)


def _dispatched(case=None) -> Case:
    case = case or _case()
    return _act(case, "dispatch", "demo-community", lead={"department": CITY_MANAGEMENT})


def _resolved(case=None) -> Case:
    case = _dispatched(case)
    _act(case, "accept", "demo-dept")
    return _act(case, "resolve", "demo-dept", result="路灯已修复")


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (27.0, 6.0, 36.0), 3: "E", 4: (114.0, 58.0, 12.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS
    return data


def _upload(name="photo.jpg", data=None):
    upload = io.BytesIO(data if data is not None else _jpeg_with_gps())
    upload.name = name
    return upload


# -- the QR report (码上办) -----------------------------------------------------------------


def test_the_qr_report_page_opens_without_a_login(client):
    grid = _demo_grid()
    response = client.get(reverse("cases:report", args=[grid.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert grid.name in body and "码上办" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'enctype="multipart/form-data"' in body and 'id="locate"' in body


def test_the_qr_report_page_of_an_unknown_or_non_grid_code_is_404(client):
    assert client.get(reverse("cases:report", args=["999999"])).status_code == 404
    community = _demo_grid().parent
    assert client.get(reverse("cases:report", args=[community.code])).status_code == 404


def test_a_qr_report_creates_a_case_in_the_grid_of_the_url_and_shows_its_track_page(client):
    grid = _demo_grid()
    response = client.post(
        reverse("cases:report", args=[grid.code]),
        {
            "title": "楼道堆放杂物",
            "description": "三楼楼道堆满纸箱",
            "lng": "114.97",
            "lat": "27.11",
            "name": "李四",
            "phone": "13900001111",
        },
    )
    case = Case.objects.get(title="楼道堆放杂物")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:track", args=[case.tracking_token])
    assert case.channel == "qr_code"
    assert case.grid == grid and case.status == Status.SUBMITTED
    assert (case.lng, case.lat) == (114.97, 27.11)
    assert (case.reporter_name, case.reporter_phone) == ("李四", "13900001111")
    assert case.created_by is None
    page = client.get(response["Location"])
    assert case.number in page.content.decode()


def test_too_many_anonymous_reports_from_one_address_wait_with_a_429(client, settings):
    settings.PUBLIC_REPORT_LIMIT = 2
    url = reverse("cases:report", args=[_demo_grid().code])
    for n in range(2):
        assert client.post(url, {"title": f"路灯不亮 {n}"}).status_code == 302
    refused = client.post(url, {"title": "路灯不亮 2"})
    assert refused.status_code == 429 and "提交得太频繁" in refused.text
    assert "路灯不亮 2" in refused.text  # the form keeps what was typed
    assert not Case.objects.filter(title="路灯不亮 2").exists()
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(url, {"title": "另一个地址"}).status_code == 302
    grid_worker = _login(Client(), "demo-grid")  # staff are accountable, not limited
    assert grid_worker.post(url, {"title": "网格员代报"}).status_code == 302


def test_a_qr_report_without_a_title_shows_the_form_again_with_a_400(client):
    grid = _demo_grid()
    response = client.post(reverse("cases:report", args=[grid.code]), {"description": "x"})
    assert response.status_code == 400
    assert "请检查" in response.content.decode()
    assert not Case.objects.filter(description="x").exists()


def test_qr_report_photos_are_re_encoded_without_their_exif_gps(client):
    grid = _demo_grid()
    response = client.post(
        reverse("cases:report", args=[grid.code]),
        {"title": "健身器材损坏", "photos": [_upload("a.jpg"), _upload("b.jpg")]},
    )
    assert response.status_code == 302
    photos = CasePhoto.objects.filter(case__title="健身器材损坏")
    assert photos.count() == 2
    for photo in photos:
        with photo.image.open("rb") as handle:
            stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info


def test_a_qr_report_with_a_file_that_is_not_a_photo_creates_nothing(client):
    grid = _demo_grid()
    response = client.post(
        reverse("cases:report", args=[grid.code]),
        {"title": "不是照片", "photos": [_upload("x.jpg", b"%PDF-1.4 not an image")]},
    )
    assert response.status_code == 400
    assert "不是可识别的照片" in response.content.decode()
    assert not Case.objects.filter(title="不是照片").exists()


def test_the_grid_qr_code_encodes_the_absolute_report_address(client):
    grid = _demo_grid()
    response = client.get(reverse("cases:qr", args=[grid.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    url = "http://testserver" + reverse("cases:report", args=[grid.code])
    segno.make(url, error="m").save(
        expected, kind="svg", scale=8, border=2, title=f"{grid.name} 码上办"
    )
    assert response.content == expected.getvalue()
    assert client.get(reverse("cases:qr", args=["999999"])).status_code == 404


def test_the_grid_page_links_its_qr_code_and_poster(client):
    grid = _demo_grid()
    _login(client, "demo-community")
    body = client.get(reverse("org:node", args=[grid.code])).content.decode()
    assert reverse("cases:qr", args=[grid.code]) in body
    assert reverse("cases:poster", args=[grid.code]) in body
    poster = client.get(reverse("cases:poster", args=[grid.code]))
    assert poster.status_code == 200 and grid.name in poster.content.decode()


# -- tracking and rating ----------------------------------------------------------------------


def test_the_track_page_shows_the_steps_but_no_staff_names_or_personal_data(client):
    case = _dispatched()
    body = client.get(reverse("cases:track", args=[case.tracking_token])).content.decode()
    assert case.number in body and "已派单" in body
    community = _user("demo-community")
    for secret in (community.display_name, community.username, "王秀英", "13912345678"):
        assert secret not in body


def test_an_unknown_tracking_token_is_404(client):
    assert client.get(reverse("cases:track", args=["no-such-token"])).status_code == 404


def test_the_reporter_rates_a_resolved_case_on_the_track_page(client):
    case = _resolved()
    url = reverse("cases:track", args=[case.tracking_token])
    assert 'name="satisfaction"' in client.get(url).content.decode()
    response = client.post(
        reverse("cases:rate", args=[case.tracking_token]),
        {"version": case.version, "satisfaction": "satisfied", "comment": "很及时"},
    )
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.satisfaction == "satisfied" and case.status == Status.RESOLVED
    event = case.events.get(action="rate")
    assert event.actor is None and event.note == "很及时"
    assert 'name="satisfaction"' not in client.get(url).content.decode()


def test_an_unsatisfied_rating_reopens_the_case(client):
    case = _resolved()
    client.post(
        reverse("cases:rate", args=[case.tracking_token]),
        {"version": case.version, "satisfaction": "unsatisfied"},
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.reopen_count == 1


def test_a_rating_with_a_stale_version_gets_409_with_the_reason(client):
    case = _resolved()
    response = client.post(
        reverse("cases:rate", args=[case.tracking_token]),
        {"version": case.version - 1, "satisfaction": "satisfied"},
    )
    assert response.status_code == 409
    assert "已被他人更新" in response.content.decode()


def test_a_case_that_is_not_resolved_cannot_be_rated(client):
    case = _case()
    url = reverse("cases:track", args=[case.tracking_token])
    assert 'name="satisfaction"' not in client.get(url).content.decode()
    response = client.post(
        reverse("cases:rate", args=[case.tracking_token]),
        {"version": case.version, "satisfaction": "satisfied"},
    )
    assert response.status_code == 409


# -- the public page ----------------------------------------------------------------------------


def test_the_public_page_shows_published_summaries_and_no_personal_data(client):
    published = _resolved(_case(title="占道经营堵塞通道", reporter_name="赵大海"))
    _act(published, "close", "demo-community")
    _act(published, "publish", "demo-community")
    hidden = _case(title="未公示的诉求")
    community = _demo_grid().parent
    response = client.get(reverse("cases:community", args=[community.code]))
    assert response.status_code == 200
    body = response.content.decode()
    published.refresh_from_db()
    assert published.public_summary and published.public_summary in body
    assert hidden.title not in body
    for secret in ("赵大海", "13912345678", "139****5678", published.tracking_token):
        assert secret not in body
    assert client.get(reverse("cases:community", args=["999999"])).status_code == 404


# -- staff pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["cases:list", "cases:queue", "cases:triage", "cases:inbox", "cases:board"]
)
def test_staff_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("username", "name", "text"),
    [
        ("demo-community", "cases:list", "诉求"),
        ("demo-leader", "cases:list", "诉求"),
        ("demo-grid", "cases:queue", "网格待办"),
        ("demo-community", "cases:triage", "分拨台"),
        ("demo-dept", "cases:inbox", "待签收派单"),
        ("demo-leader", "cases:board", "督办看板"),
        ("demo-community", "cases:new", "登记诉求"),
    ],
)
def test_each_staff_page_renders_for_its_role(client, username, name, text):
    _case()
    _login(client, username)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert text in response.content.decode()


def test_the_header_links_fit_the_users_roles(client):
    expectations = {
        "demo-grid": ({"网格待办", "督办"}, {"部门待办"}),
        "demo-community": ({"分拨", "督办"}, {"网格待办", "部门待办"}),
        "demo-dept": ({"部门待办"}, {"分拨", "督办", "网格待办"}),
        "demo-resident": ({"我的诉求"}, {"分拨", "督办", "部门待办"}),
    }
    for username, (shown, hidden) in expectations.items():
        _login(client, username)
        body = client.get(reverse("org:home")).content.decode()
        nav = body[body.index('<nav class="site-nav"') : body.index("</nav>")]
        links = set(re.findall(r">([^<>]+)</a>", nav))
        assert shown <= links, (username, links)
        assert not hidden & links, (username, links)
    client.logout()
    assert 'class="site-nav"' not in client.get(reverse("login")).content.decode()


def test_every_page_shows_the_header_links_and_the_unread_count(client):
    _login(client, "demo-dept")
    body = client.get(reverse("org:home")).content.decode()
    assert 'class="site-nav"' in body
    user = _user("demo-dept")
    assert InboxMessage.objects.filter(user=user, read_at=None).count() == 0
    assert 'class="count"' not in body


def test_the_case_list_filters_with_the_api_filter_set(client):
    red = _case(title="红灯的诉求")
    _light_up([red], Light.RED)
    green = _case(title="绿灯的诉求")
    _login(client, "demo-community")
    body = client.get(reverse("cases:list"), {"light": "red"}).content.decode()
    assert red.title in body and green.title not in body
    assert 'class="light light--red"' in body
    body = client.get(reverse("cases:list"), {"q": green.number}).content.decode()
    assert green.title in body and red.title not in body
    response = client.get(reverse("cases:list"), {"status": "nonsense", "grid": "x"})
    assert response.status_code == 200  # a bad filter value is no server error


def test_the_case_list_pagination_keeps_the_filters(client):
    for number in range(32):
        _case(title=f"批量诉求{number}")
    _login(client, "demo-community")
    body = client.get(reverse("cases:list"), {"channel": "hotline_12345"}).content.decode()
    assert "?channel=hotline_12345&amp;page=2" in body


def test_the_queue_lists_open_cases_at_the_workers_grid_most_urgent_first(client):
    green = _case(title="普通诉求")
    red = _case(title="超期诉求")
    _light_up([red], Light.RED)
    elsewhere = _case(_other_community_grid(), title="别处的诉求")
    rejected = _act(_case(title="不予受理的诉求"), "reject", "demo-community", reason="重复")
    department_led = _dispatched(_case(title="城管牵头的诉求"))
    _login(client, "demo-grid")
    body = client.get(reverse("cases:queue")).content.decode()
    assert body.index(red.title) < body.index(green.title)
    assert elsewhere.title not in body and rejected.title not in body
    assert department_led.title not in body  # the department's to handle, not the grid's


def test_the_quick_report_from_the_queue_creates_a_grid_report_case(client):
    grid = _demo_grid()
    _login(client, "demo-grid")
    response = client.post(
        reverse("cases:queue"),
        {"grid": grid.code, "title": "井盖缺失", "photos": [_upload()]},
    )
    case = Case.objects.get(title="井盖缺失")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.channel == "grid_report" and case.grid == grid
    assert case.created_by == _user("demo-grid")
    assert case.photos.count() == 1


def test_the_quick_report_refuses_a_grid_that_is_not_the_workers(client):
    _login(client, "demo-grid")
    response = client.post(
        reverse("cases:queue"), {"grid": _other_community_grid().code, "title": "别处的问题"}
    )
    assert response.status_code == 400
    assert "请选择您负责的网格" in response.content.decode()
    assert not Case.objects.filter(title="别处的问题").exists()


def test_staff_enter_a_hotline_case(client):
    grid = _demo_grid()
    _login(client, "demo-community")
    response = client.post(
        reverse("cases:new"),
        {"channel": "hotline_12343", "grid": grid.code, "title": "邻里纠纷", "name": "周"},
    )
    case = Case.objects.get(title="邻里纠纷")
    assert response.status_code == 302
    assert case.channel == "hotline_12343" and case.grid == grid


def test_staff_cannot_file_a_case_outside_their_subtree_on_any_entry_point(client):
    """The page and the API obey do_create_case's one rule: 400 out_of_scope, nothing
    written (the API's side is walked for every duty in tests/test_verb_walk.py)."""
    elsewhere = _other_community_grid()
    _login(client, "demo-grid")
    response = client.post(
        reverse("cases:new"),
        {"channel": "hotline_12343", "grid": elsewhere.code, "title": "别处的纠纷", "name": "周"},
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()
    with pytest.raises(InvalidInput) as refused:
        do_create_case(
            Report(title="别处的纠纷", channel="api", grid_code=elsewhere.code),
            actor=_user("demo-grid"),
        )
    assert refused.value.code == "out_of_scope"
    assert not Case.objects.filter(title="别处的纠纷").exists()


def test_triage_shows_suggestions_the_route_and_a_possible_duplicate(client):
    grid = _demo_grid()
    point = {"lng": 114.97, "lat": 27.11}
    first = _case(title="路灯坏了", category_code="JS-001", **point)
    second = _case(title="门口路灯不亮", description="晚上黑灯瞎火", **point)
    second.refresh_from_db()
    assert second.possible_duplicate_of == first  # same category within 100 m and 72 h
    _login(client, "demo-community")
    body = client.get(reverse("cases:triage")).content.decode()
    assert first.number in body and second.number in body
    assert "路灯不亮" in body  # the suggested category
    assert "建议派往" in body and "城市管理局" in body  # the route of a 需协调 JS-001 case
    assert "疑似重复" in body and "合并到该件" in body
    assert f'action="{reverse("cases:act", args=[second.pk, "merge"])}"' in body
    assert f'action="{reverse("cases:act", args=[second.pk, "dispatch"])}"' in body
    assert grid.name in body
    response = client.post(
        reverse("cases:act", args=[second.pk, "merge"]),
        {"version": second.version, "into": str(first.pk), "next": reverse("cases:triage")},
    )
    assert response["Location"] == reverse("cases:triage")
    second.refresh_from_db()
    assert second.merged_into == first


def test_dispatch_from_triage_to_a_department_and_its_inbox(
    client, django_capture_on_commit_callbacks
):
    case = _case()
    _login(client, "demo-community")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:act", args=[case.pk, "dispatch"]),
            {
                "version": case.version,
                "lead": f"department:{CITY_MANAGEMENT}",
                "assist": ["department:360802-sanitation"],
                "note": "请尽快处理",
                "next": reverse("cases:triage"),
            },
        )
    assert response.status_code == 302 and response["Location"] == reverse("cases:triage")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    lead = Assignment.objects.get(case=case, role="lead")
    assert lead.department == Department.objects.get(code=CITY_MANAGEMENT)

    _login(client, "demo-dept")
    body = client.get(reverse("cases:inbox")).content.decode()
    assert case.number in body and "签收" in body
    assert InboxMessage.objects.about(case).filter(user=_user("demo-dept")).exists()
    assert 'class="count"' in client.get(reverse("org:home")).content.decode()
    response = client.post(
        reverse("cases:act", args=[case.pk, "accept"]), {"version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_message_is_marked_read(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _dispatched()
    message = InboxMessage.objects.about(case).filter(user=_user("demo-dept")).get()
    _login(client, "demo-dept")
    response = client.post(reverse("cases:read", args=[message.pk]), {"open": "1"})
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    message.refresh_from_db()
    assert message.read_at is not None
    _login(client, "demo-grid")
    assert client.post(reverse("cases:read", args=[message.pk])).status_code == 404


def test_a_whistled_department_reports_in_from_its_inbox(client):
    case = _act(_case(), "accept", "demo-community")
    _act(case, "whistle", "demo-community", departments=[CITY_MANAGEMENT])
    _login(client, "demo-dept")
    body = client.get(reverse("cases:inbox")).content.decode()
    assert "吹哨报到" in body and case.number in body
    case.refresh_from_db()
    response = client.post(
        reverse("cases:act", args=[case.pk, "report_in"]), {"version": case.version}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(case=case, role="whistle").status == "reported_in"


def test_the_board_shows_yellow_and_red_cases_with_urge_buttons(client):
    red = _case(title="超期诉求")
    yellow = _case(title="将到期诉求")
    green = _case(title="正常诉求")
    _light_up([red], Light.RED)
    _light_up([yellow], Light.YELLOW)
    _login(client, "demo-leader")
    body = client.get(reverse("cases:board")).content.decode()
    assert red.title in body and yellow.title in body and green.title not in body
    assert body.index(red.title) < body.index(yellow.title)
    assert reverse("cases:act", args=[red.pk, "urge"]) in body
    assert reverse("cases:act", args=[red.pk, "supervise"]) in body
    response = client.post(
        reverse("cases:act", args=[red.pk, "supervise"]),
        {"version": red.version, "next": reverse("cases:board")},
    )
    assert response["Location"] == reverse("cases:board")
    red.refresh_from_db()
    assert red.is_supervised


# -- case detail and actions ---------------------------------------------------------------------


def test_the_case_detail_has_map_photos_timeline_and_one_form_per_allowed_action(client):
    grid = _demo_grid()
    _login(client, "demo-grid")
    client.post(
        reverse("cases:queue"),
        {
            "grid": grid.code,
            "title": "路面塌陷",
            "phone": "13900002222",
            "lng": "114.97",
            "lat": "27.11",
            "photos": [_upload()],
        },
    )
    case = Case.objects.get(title="路面塌陷")
    _login(client, "demo-community")
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="case-map"' in body and 'id="case-map-data"' in body
    assert reverse("cases:photo", args=[case.photos.get().pk]) in body
    assert "提交" in body
    assert "13900002222" not in body and "139****2222" in body  # the phone masked
    forms = set(re.findall(rf'action="/cases/{case.pk}/actions/([a-z_]+)/"', body))
    assert forms == set(allowed_actions(_user("demo-community"), case))
    assert {"accept", "dispatch", "reject", "supervise"} <= forms
    assert f'name="version" value="{case.version}"' in body


def test_a_case_outside_the_users_scope_is_404(client):
    case = _case(_other_community_grid())
    _login(client, "demo-grid")
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("cases:act", args=[case.pk, "accept"]), {"version": case.version}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_an_action_with_a_stale_version_shows_the_409_message(client):
    case = _case()
    stale = case.version
    _act(case, "accept", "demo-community")
    _login(client, "demo-grid")
    response = client.post(
        reverse("cases:act", args=[case.pk, "handle"]), {"version": stale, "note": "我来办"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "案件已被他人更新" in body and 'role="alert"' in body
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert f'name="version" value="{case.version}"' in body  # fresh forms to retry


def test_an_action_the_user_may_not_take_shows_the_403_message(client):
    case = _dispatched()
    _login(client, "demo-dept")
    response = client.post(reverse("cases:act", args=[case.pk, "urge"]), {"version": case.version})
    assert response.status_code == 403
    assert "您不能对这个案件催办" in response.content.decode()


def test_a_missing_required_field_shows_the_400_message(client):
    case = _case()
    _login(client, "demo-community")
    response = client.post(
        reverse("cases:act", args=[case.pk, "reject"]), {"version": case.version}
    )
    assert response.status_code == 400
    assert "请填写" in response.content.decode()
    assert (
        client.post(
            reverse("cases:act", args=[case.pk, "fly"]), {"version": case.version}
        ).status_code
        == 400
    )


def test_resolve_with_result_photos_then_callback_close_and_publish_from_the_detail_page(client):
    case = _dispatched()
    _act(case, "accept", "demo-dept")
    case.refresh_from_db()
    _login(client, "demo-dept")
    response = client.post(
        reverse("cases:act", args=[case.pk, "resolve"]),
        {"version": case.version, "result": "已更换灯泡", "photos": [_upload()]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.photos.filter(kind="result").count() == 1
    _login(client, "demo-community")
    for action, data in [
        ("callback", {"satisfaction": "satisfied", "note": "电话回访"}),
        ("close", {}),
        ("publish", {"summary": "【路灯】门口路灯已修复"}),
    ]:
        case.refresh_from_db()
        response = client.post(
            reverse("cases:act", args=[case.pk, action]), {"version": case.version, **data}
        )
        assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.is_published
    assert case.public_summary == "【路灯】门口路灯已修复"


def test_merging_a_duplicate_by_its_number(client):
    original = _case(title="原件")
    duplicate = _case(title="重复件")
    _login(client, "demo-community")
    response = client.post(
        reverse("cases:act", args=[duplicate.pk, "merge"]),
        {"version": duplicate.version, "into": original.number},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original and duplicate.status == Status.CLOSED


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_make_as_many_queries_for_twelve_cases_as_for_two(client):
    # The pages each one's verbs open (a department neither patrols a grid nor supervises).
    pages_of = {
        "demo-grid": ["cases:list", "cases:board", "cases:queue", "cases:inbox"],
        "demo-dept": ["cases:list", "cases:inbox"],
    }
    counts = {}
    for total in (2, 12):
        while Case.objects.count() < total:
            case = _case(title=f"诉求{Case.objects.count()}")
            _dispatched(case)
        _light_up(Case.objects.all(), Light.RED)
        counts[total] = {}
        for username, pages in pages_of.items():
            _login(client, username)
            counts[total][username] = {name: _query_count(client, reverse(name)) for name in pages}
    assert counts[2] == counts[12]


def test_work_pages_open_where_their_links_show(client):
    """The header's links and the pages' own checks come from the same verbs."""
    for username, closed in (
        ("demo-resident", ["cases:queue", "cases:triage", "cases:board", "exchange:index"]),
        ("demo-volunteer", ["cases:triage", "cases:board", "exchange:index"]),
        ("demo-dept", ["cases:queue", "cases:triage", "cases:board"]),
    ):
        _login(client, username)
        body = client.get(reverse("org:home")).content.decode()
        for name in closed:
            assert client.get(reverse(name)).status_code == 403, (username, name)
            assert f'href="{reverse(name)}"' not in body, (username, name)
    _login(client, "demo-dept")
    body = client.get(reverse("org:home")).content.decode()
    assert client.get(reverse("exchange:index")).status_code == 200
    assert f'href="{reverse("exchange:index")}"' in body


def test_a_resident_opening_their_own_case_gets_the_track_page(client):
    resident = _user("demo-resident")
    case = do_create_case(Report(title="楼上漏水", channel="qr_code"), actor=resident)
    assert case.reporter_user == resident
    _login(client, "demo-resident")
    assert case.title in client.get(reverse("cases:list")).content.decode()
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:track", args=[case.tracking_token])


def test_one_search_box_finds_a_case_by_ticket_text_address_or_phone(client):
    from cases.models import Case as CaseModel

    wanted = _case(title="井盖缺失", address="人民路 88 号", reporter_phone="13800138000")
    CaseModel.objects.filter(pk=wanted.pk).update(external_ref="GD20250109001")
    other = _case(title="噪音扰民", address="井冈山大道 1 号", reporter_phone="13912345678")
    _login(client, "demo-community")
    for query in ("GD20250109001", "人民路", "138-0013-8000", "8000", "井盖", wanted.number):
        body = client.get(reverse("cases:list"), {"q": query}).content.decode()
        assert wanted.number in body and other.number not in body, query
        # The phone that found it stays masked on the page.
        assert "13800138000" not in body


def test_triage_board_and_inbox_search_and_filter(client):
    first = _case(title="路灯不亮", address="人民路 88 号")
    second = _case(title="垃圾堆积", address="井冈山大道 1 号")
    _login(client, "demo-community")
    body = client.get(reverse("cases:triage"), {"q": "人民路"}).content.decode()
    assert first.number in body and second.number not in body
    assert 'name="q"' in body and "筛选" in body

    _light_up([first, second], Light.RED)
    body = client.get(reverse("cases:board"), {"q": "垃圾"}).content.decode()
    assert second.number in body and first.number not in body

    for case in (first, second):
        _dispatched(case)
    _login(client, "demo-dept")
    body = client.get(reverse("cases:inbox"), {"q": "人民路"}).content.decode()
    dispatches = body[body.index('id="dispatches"') : body.index('id="whistles"')]
    assert first.number in dispatches and second.number not in dispatches
    assert "人民路 88 号" in dispatches  # a dispatch shows where to go


def test_the_inbox_pages_each_list_on_its_own(client):
    for number in range(33):
        _dispatched(_case(title=f"第 {number} 件"))
    _login(client, "demo-dept")
    body = client.get(reverse("cases:inbox")).content.decode()
    dispatches = body[body.index('id="dispatches"') : body.index('id="whistles"')]
    assert dispatches.count('class="case-item"') == 30
    assert "?page=2#dispatches" in dispatches
    body = client.get(reverse("cases:inbox"), {"page": 2}).content.decode()
    dispatches = body[body.index('id="dispatches"') : body.index('id="whistles"')]
    assert dispatches.count('class="case-item"') == 3


def test_triage_offers_the_whole_catalogue_for_a_case_without_a_suggestion(client):
    from catalog.models import MatterCategory

    case = _case(title="啊啊啊", description="")
    _login(client, "demo-community")
    body = client.get(reverse("cases:triage")).content.decode()
    row = body[body.index(f'id="case-{case.pk}"') :]
    row = row[: row.index("</article>")]
    offered = set(re.findall(r'<option value="([A-Z]+-\d+)"', row))
    active = set(MatterCategory.objects.filter(is_active=True).values_list("code", flat=True))
    assert offered == active


def test_only_who_may_reveal_sees_a_reporter_in_full_and_only_once(client):
    case = _case(reporter_phone="13912345678")
    url = reverse("cases:reveal", args=[case.pk])
    _login(client, "demo-leader")
    assert client.post(url).status_code == 403
    _login(client, "demo-community")
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#reporter")
    assert "13912345678" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "13912345678" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.get(url).status_code == 405


def test_a_resident_reports_with_their_own_form_in_their_own_words(client):
    _login(client, "demo-resident")
    home = client.get(reverse("org:home")).content.decode()
    assert "反映问题" in home and "我可查看的范围" not in home
    form = client.get(reverse("cases:new")).content.decode()
    assert 'name="channel"' not in form and "来访" not in form
    response = client.post(reverse("cases:new"), {"title": "楼下垃圾桶满了", "description": ""})
    case = Case.objects.get(title="楼下垃圾桶满了")
    assert response["Location"] == reverse("cases:track", args=[case.tracking_token])
    resident = _user("demo-resident")
    assert (case.channel, case.reporter_user, case.grid.code) == (
        "resident",
        resident,
        resident.assignments.get().node.code,
    )
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    mine = client.get(reverse("cases:list")).content.decode()
    assert "已办完" in mine and "已销号" not in mine
    assert case.tier.name not in mine


def test_a_long_description_is_refused_with_the_reason_and_kept(client):
    _login(client, "demo-resident")
    text = "很长的描述。" * 1000
    response = client.post(reverse("cases:new"), {"title": "长描述", "description": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert text in body and "5000" in body
    assert not Case.objects.filter(title="长描述").exists()


def test_a_reporter_finds_their_case_by_number_and_phone(client):
    case = _case(reporter_phone="13912345678")
    lookup = reverse("cases:lookup")
    assert "13912345678" not in client.get(lookup).content.decode()
    response = client.post(lookup, {"number": case.number.lower(), "phone": "139-1234-5678"})
    assert response["Location"] == reverse("cases:track", args=[case.tracking_token])
    response = client.post(lookup, {"number": case.number, "phone": "13900000000"})
    assert response.status_code == 404 and "核对" in response.content.decode()
    response = client.get(reverse("cases:track", args=["not-a-token"]))
    body = response.content.decode()
    assert response.status_code == 404 and "管辖范围" not in body and "链接" in body
    assert lookup in body


def test_tracking_shows_the_photos_and_the_unit(client):
    case = _resolved()
    for kind in ("report", "result"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cases.photos import add_photos

        add_photos(case, [SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg")], kind)
    body = client.get(reverse("cases:track", args=[case.tracking_token])).content.decode()
    urls = re.findall(r'<img src="(/photos/[^"]+/)"', body)
    assert len(urls) == 2
    assert all(client.get(url).status_code == 200 for url in urls)
    assert Department.objects.get(code=CITY_MANAGEMENT).name in body


def test_one_tap_resolves_a_simple_problem_on_the_spot(client):
    _login(client, "demo-grid")
    grid = _demo_grid()
    queue = reverse("cases:queue")
    response = client.post(queue, {"grid": grid.code, "title": "路边垃圾", "then": "resolve"})
    assert response.status_code == 400 and "处理结果" in response.content.decode()
    assert not Case.objects.filter(title="路边垃圾").exists()  # nothing half-done

    response = client.post(
        queue, {"grid": grid.code, "title": "路边垃圾", "then": "resolve", "result": "已清理"}
    )
    assert response["Location"] == queue
    case = Case.objects.get(title="路边垃圾")
    assert (case.status, case.result, case.channel) == (Status.RESOLVED, "已清理", "grid_report")
    assert list(case.events.values_list("action", flat=True)) == ["submit", "handle", "resolve"]

    response = client.post(queue, {"grid": grid.code, "title": "井盖松动", "then": "report"})
    case = Case.objects.get(title="井盖松动")
    assert case.status == Status.SUBMITTED
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_the_staff_form_promises_exactly_the_channels_it_offers(client):
    _login(client, "demo-community")
    body = client.get(reverse("cases:new")).content.decode()
    offered = re.findall(r'name="channel" value="[^"]+"[^>]*>\s*([^<]+?)\s*<', body) or re.findall(
        r'<option value="(?:hotline|walk|home|mail|chat|liaison)[^"]*"[^>]*>([^<]+)<', body
    )
    assert {"入户走访", "意见信箱", "网格群聊"} <= set(offered), offered
    heading = re.search(r'<p class="muted">([^<]*收到的诉求)</p>', body).group(1)
    assert heading.removesuffix("收到的诉求").split("、") == offered


def test_a_light_is_read_from_the_clock_not_from_the_last_sweep(client):
    case = _case(title="刚超期")
    _light_up([case], Light.RED)
    assert Case.objects.get(pk=case.pk).light == Light.GREEN  # no sweep has run
    _login(client, "demo-leader")
    board = client.get(reverse("cases:board")).content.decode()
    assert case.title in board and 'class="light light--red"' in board
    listed = client.get(reverse("cases:list"), {"light": "red"}).content.decode()
    assert case.title in listed
    api = client.get("/api/v1/cases/", {"light": "red"}).json()
    assert [(row["number"], row["light"]) for row in api["results"]] == [(case.number, "red")]


def test_a_case_without_a_grid_can_be_sent_down_to_a_street(client):
    case = do_create_case(Report(title="不知道在哪的井盖", channel="hotline_12345"))
    assert case.grid is None
    root = OrgNode.objects.get(parent=None)
    street = root.children.order_by("code").first()
    _login(client, "demo-leader")
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'value="node:{street.code}"' in body
    case = _act(case, "dispatch", "demo-leader", lead={"node": street.code})
    assert case.status == Status.DISPATCHED
    assert case.assignments.get().node == street


def test_a_form_sent_back_with_an_error_asks_for_the_photos_again(client):
    _login(client, "demo-grid")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    buffer.name = "p.jpg"
    buffer.seek(0)
    response = client.post(
        reverse("cases:queue"),
        {"grid": _demo_grid().code, "title": "路边垃圾", "then": "resolve", "photos": buffer},
    )
    assert response.status_code == 400
    assert "请重新选择照片" in response.content.decode()
    assert "请重新选择照片" not in client.get(reverse("cases:queue")).content.decode()
