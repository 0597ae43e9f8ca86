"""A GeoReport v2 client that nobody here wrote, over real HTTP.

civicbot (PyPI, MIT) ships ``Open311Client``, a stdlib-only GeoReport v2 client: it lists
services, reads service definitions, builds and checks a POST against them and files it
(only with ``dry_run=False``, an api_key and ``confirm="SEND"``), follows tokens and reads
requests. It reads without an api_key, as the specification allows, so it sees the demo
client's requests because that client's requests are public.
"""

import datetime as dt
import io

import pytest
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client
from civicbot.http import RateLimiter
from civicbot.open311 import CONFIRM_TOKEN
from django.core.management import call_command

from cases.actions import do_case_action
from cases.models import Case
from open311.tests.conftest import DEMO_KEY, JURISDICTION, LAT, LNG
from org.models import User


@pytest.fixture
def library(live_city, monkeypatch):
    monkeypatch.setenv("GRIDGOV_DEMO", "1")
    call_command("open311_demo_client", stdout=io.StringIO())
    endpoint = Endpoint(
        id="gridgov", name="网格化社区治理平台", base_url=f"{live_city}/open311/v2", write=True
    )
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport, jurisdiction_id=JURISDICTION)


def test_a_third_party_client_lists_posts_follows_the_token_and_reads_the_status(library):
    services = library.list_services()
    light = next(s for s in services if s["service_code"] == "JS-001")
    assert light["service_name"] == "路灯不亮" and light["metadata"] is True

    sent = library.create_request(
        "JS-001",
        dry_run=False,
        confirm=CONFIRM_TOKEN,
        api_key=DEMO_KEY,
        validate_remote=True,  # fetches the service list and definition, checks the form
        lat=LAT,
        lng=LNG,
        description="朝阳路口的路灯不亮了",
        attributes={"severity": "serious", "affected": ["residents", "passers"]},
        first_name="小明",
        last_name="王",
        phone="13812345678",
    )
    (receipt,) = sent.response
    (found,) = library.get_token(receipt["token"])
    request_id = found["service_request_id"]
    assert request_id == receipt["service_request_id"]

    status = library.get_request(request_id)
    assert status["status"] == "open"
    assert status["service_code"] == "JS-001"
    assert "13812345678" not in str(status) and "小明" not in str(status)
    assert [r["service_request_id"] for r in library.list_requests(status="open")] == [request_id]

    # Staff take the case through the loop.
    case = Case.objects.get(number=request_id)
    admin = User.objects.get(username="demo-admin")
    at = case.created_at
    for step, (action, data) in enumerate(
        [
            ("accept", {}),
            ("dispatch", {}),
            ("accept", {}),
            ("resolve", {"result": "更换灯泡，已恢复照明"}),
            ("close", {}),
        ],
        start=1,
    ):
        case = do_case_action(
            case.pk,
            action,
            actor=admin,
            version=case.version,
            data=data,
            at=at + dt.timedelta(hours=step),
        )

    status = library.get_request(request_id)
    assert status["status"] == "closed"
    assert status["status_notes"] == "已办完：更换灯泡，已恢复照明"
    assert status["agency_responsible"]
    assert status["expected_datetime"] and status["updated_datetime"] > status["requested_datetime"]
    assert [r["service_request_id"] for r in library.list_requests(status="closed")] == [request_id]


def test_the_library_sees_our_errors_as_http_statuses(library):
    with pytest.raises(HttpError) as refused:
        library.create_request(
            "JS-001", dry_run=False, confirm=CONFIRM_TOKEN, api_key="wrong", lat=LAT, lng=LNG
        )
    assert refused.value.status == 403
    assert '"code": 403' in refused.value.body
    with pytest.raises(HttpError) as missing:
        library.get_token("no-such-token")
    assert missing.value.status == 404
