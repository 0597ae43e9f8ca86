"""Personal data a resident types into the QR form never reaches a public surface: the
tracking page, the community's public list, Open311 (JSON and XML), the notices and the
hotline export all show it masked by gridgov.masking."""

import re

import pytest
from django.urls import reverse

from cases.actions import do_case_action
from cases.models import Case
from exchange.hotline import export_table
from exchange.models import HotlineSystem
from open311.models import ApiClient
from open311.tests.conftest import get
from org.models import User
from outbox.models import Outbox

pytestmark = pytest.mark.usefixtures("city", "db")

READER_KEY = "reader-key-0123456789abcdef"
CITY_MANAGEMENT = "360802-city_management"
# (what the resident writes, what the public may see of it)
EXAMPLES = [
    ("138-0013-8000", "138****8000"),
    ("139 0013 8001", "139****8001"),
    ("+86 137 0013 8002", "137****8002"),
    ("(0796) 822-1234", "0796-****1234"),
    ("zhang.san@example.com", "zh***@example.com"),
]


def _user(username):
    return User.objects.get(username=username)


def _act(case, action, username, **data) -> Case:
    case.refresh_from_db()
    return do_case_action(case.pk, action, actor=_user(username), version=case.version, data=data)


def _report(client, written: str) -> Case:
    grid = _user("demo-grid").assignments.get().node
    title = f"路灯不亮 联系{written}"
    response = client.post(
        reverse("cases:report", args=[grid.code]),
        {"title": title, "description": f"有事打我电话 {written}", "name": "李四"},
    )
    assert response.status_code == 302, response.content.decode()
    return Case.objects.get(title=title)


def _published(case: Case, written: str) -> Case:
    _act(case, "dispatch", "demo-community", lead={"department": CITY_MANAGEMENT})
    _act(case, "accept", "demo-dept")
    _act(case, "resolve", "demo-dept", result=f"已修复，已电话 {written} 回复")
    _act(case, "close", "demo-community")
    return _act(case, "publish", "demo-community")


def _assert_masked(text: str, written: str, masked: str) -> None:
    assert written not in text
    digits = re.sub(r"\D", "", written)
    assert digits not in re.sub(r"\D", "", text) or not digits
    assert masked in text


@pytest.fixture
def reader(db):
    """An Open311 client that may read every case (the QR form's cases are no client's)."""
    client = ApiClient(name="读取", slug="reader", requests_public=False)
    client.scopes = ["open311.read_all"]
    client.set_key(READER_KEY)
    client.save()
    return client


@pytest.mark.parametrize(("written", "masked"), EXAMPLES)
def test_what_the_qr_form_was_told_is_masked_on_every_public_surface(
    client, reader, written, masked
):
    case = _report(client, written)
    track = client.get(reverse("cases:track", args=[case.tracking_token]))
    assert track.status_code == 200
    _assert_masked(track.content.decode().split("<h2", 1)[0], written, masked)

    case = _published(case, written)
    track = client.get(reverse("cases:track", args=[case.tracking_token])).content.decode()
    _assert_masked(track, written, masked)

    community = client.get(reverse("cases:community", args=[case.grid.parent.code]))
    assert community.status_code == 200
    _assert_masked(community.content.decode(), written, masked)

    for fmt in ("json", "xml"):
        status, (row,) = get(
            client, f"requests/{case.number}", fmt, "service_requests", api_key=READER_KEY
        )
        assert status == 200
        _assert_masked(row["description"], written, masked)
        _assert_masked(row["status_notes"], written, masked)

    notices = Outbox.objects.filter(subject_id=case.pk, event="case_resolved", channel="inbox")
    assert notices
    for message in notices:
        _assert_masked(message.payload["body"], written, masked)

    system = HotlineSystem.objects.create(name="12345", slug="h12345")
    headers, rows = export_table(system, Case.objects.filter(pk=case.pk))
    cells = " ".join(str(cell) for cell in rows[0])
    _assert_masked(cells, written, masked)


def test_the_notice_to_a_reporter_is_masked(client):
    resident = _user("demo-resident")
    client.force_login(resident)
    case = _report(client, "138-0013-8000")
    assert case.reporter_user == resident
    _act(case, "reject", "demo-community", reason="已转 13900138000 处理，请联系")
    message = Outbox.objects.get(recipient=resident, event="case_rejected")
    assert "13900138000" not in message.payload["body"]
    assert "139****8000" in message.payload["body"]
