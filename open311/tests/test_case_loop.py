"""A request posted through Open311 is an ordinary case: it goes through the loop, and its
Open311 status, notes, agency and times follow the case."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from cases.actions import do_case_action
from cases.models import Case, CaseEvent, PhotoKind
from cases.photos import add_photos, shared_photo_token
from open311.tests.conftest import FORMATS, get, post, report
from org.models import Department, User

pytestmark = pytest.mark.django_db


def w3(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def act(case: Case, username: str, action: str, at, **data) -> Case:
    case.refresh_from_db()
    return do_case_action(
        case.pk,
        action,
        actor=User.objects.get(username=username),
        version=case.version,
        data=data,
        at=at,
    )


def status_of(client, case: Case, fmt: str) -> dict:
    status, (row,) = get(client, f"requests/{case.number}", fmt, "service_requests")
    assert status == 200
    return row


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_goes_through_the_loop_and_its_status_follows(client, demo, fmt):
    _, (receipt,), _ = post(client, fmt, report())
    case = Case.objects.get(number=receipt["service_request_id"])
    start = case.created_at
    grid = case.grid

    act(case, "demo-grid", "accept", start + dt.timedelta(minutes=10))
    row = status_of(client, case, fmt)
    assert (row["status"], row["status_notes"]) == ("open", "已受理")
    assert row["agency_responsible"] == grid.name

    act(case, "demo-community", "dispatch", start + dt.timedelta(minutes=30), note="内部说明")
    department = Department.objects.get(kind="city_management")
    row = status_of(client, case, fmt)
    assert (row["status"], row["status_notes"]) == ("open", "已派单办理")
    assert row["agency_responsible"] == department.name
    assert "内部说明" not in str(row)

    act(case, "demo-dept", "accept", start + dt.timedelta(hours=1))
    act(case, "demo-dept", "progress", start + dt.timedelta(hours=2), note="已联系施工队")
    # Internal steps (an urge) change the time, not what the reporter is told.
    urged_at = start + dt.timedelta(hours=3)
    act(case, "demo-community", "urge", urged_at, note="请抓紧")
    row = status_of(client, case, fmt)
    assert (row["status"], row["status_notes"]) == ("open", "办理中：已联系施工队")
    assert row["updated_datetime"] == w3(urged_at)

    act(case, "demo-dept", "resolve", start + dt.timedelta(hours=5), result="更换灯泡，已恢复照明")
    row = status_of(client, case, fmt)
    assert (row["status"], row["status_notes"]) == ("closed", "已办结：更换灯泡，已恢复照明")

    closed_at = start + dt.timedelta(hours=6)
    act(case, "demo-community", "close", closed_at)
    case.refresh_from_db()
    assert case.status == "closed"
    row = status_of(client, case, fmt)
    assert row["status"] == "closed"
    assert row["status_notes"] == "已办完：更换灯泡，已恢复照明"
    assert row["agency_responsible"] == department.name
    assert row["requested_datetime"] == w3(start)
    assert row["expected_datetime"] == w3(case.due_at)
    assert row["updated_datetime"] == w3(closed_at)
    assert CaseEvent.objects.filter(case=case).count() == 8

    # The list says the same, and the closed filter finds it.
    _, rows = get(client, "requests", fmt, "service_requests", status="closed")
    assert rows == [row]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unsatisfied_callback_reopens_it(client, demo, fmt):
    _, (receipt,), _ = post(client, fmt, report())
    case = Case.objects.get(number=receipt["service_request_id"])
    now = case.created_at
    for minutes, (user, action, data) in enumerate(
        [
            ("demo-grid", "handle", {}),
            ("demo-grid", "resolve", {"result": "已修复"}),
            ("demo-grid", "callback", {"satisfaction": "unsatisfied"}),
        ],
        start=1,
    ):
        act(case, user, action, now + dt.timedelta(minutes=minutes), **data)
    row = status_of(client, case, fmt)
    assert (row["status"], row["status_notes"]) == ("open", "重新办理")
    assert row["agency_responsible"] == case.grid.name


def test_the_first_photo_is_the_media_url(client, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    _, (receipt,), _ = post(client, "json", report(media_url="https://elsewhere.example/p.jpg"))
    case = Case.objects.get(number=receipt["service_request_id"])
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(image, format="PNG")
    (photo,) = add_photos(case, [SimpleUploadedFile("p.png", image.getvalue())], PhotoKind.REPORT)
    row = status_of(client, case, "json")
    assert row["media_url"] == f"http://testserver/photos/{shared_photo_token(photo.pk)}/"
    # The address opens without a login (a client system has none), only that photo.
    anonymous = Client()
    opened = anonymous.get(row["media_url"].removeprefix("http://testserver"))
    assert opened.status_code == 200 and opened["Content-Type"] == "image/jpeg"
    assert b"".join(opened.streaming_content)[:2] == b"\xff\xd8"
    forged = shared_photo_token(photo.pk)[:-2] + "xx"
    assert anonymous.get(f"/photos/{forged}/").status_code == 404
    assert anonymous.get(f"/cases/photos/{photo.pk}/").status_code in (302, 404)
