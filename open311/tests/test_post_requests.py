"""POST requests: an Open311 request becomes an ordinary case; every error in both formats."""

import pytest

from cases.models import Case, CaseEvent, Status
from open311.models import ApiClient, Submission
from open311.tests.conftest import (
    FORMATS,
    JURISDICTION,
    LAT,
    LNG,
    PARTNER_KEY,
    assert_error,
    get,
    post,
    report,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_creates_a_case_and_returns_its_id_and_token(client, demo, fmt):
    status, body, response = post(
        client,
        fmt,
        report(
            **{
                "attribute[severity]": "urgent",
                "attribute[affected][]": ["residents", "passers"],
                "attribute[photo_count]": "2",
                "attribute[observed_at]": "2026-11-02T20:30:00+08:00",
                "account_id": "u-42",
            }
        ),
    )
    assert status == 201, body
    (receipt,) = body
    assert set(receipt) == {"service_request_id", "token", "service_notice", "account_id"}
    case = Case.objects.get(number=receipt["service_request_id"])
    assert receipt["token"] == case.tracking_token
    assert receipt["account_id"] == "u-42"
    assert "前办结" in receipt["service_notice"]
    # An ordinary case: the open311 channel, the client as source system, the grid of the
    # point, the category of the service, its tier and deadline.
    assert case.channel == "open311"
    assert case.source_system == "demo"
    assert case.status == Status.SUBMITTED
    assert case.grid.code == "360802001001001"
    assert case.category.code == "JS-001"
    assert case.tier is not None and case.due_at is not None
    assert (case.lng, case.lat) == (LNG, LAT)
    assert case.title == "朝阳路口的路灯不亮了"
    assert case.description.startswith("朝阳路口的路灯不亮了\n晚上很黑")
    assert "严重程度：紧急，有安全隐患" in case.description
    assert "受影响的人群：周边居民、行人和车辆" in case.description
    (event,) = CaseEvent.objects.filter(case=case)
    assert event.action == "submit" and event.actor is None
    assert event.data["open311"]["attributes"] == {
        "severity": "urgent",
        "affected": ["residents", "passers"],
        "photo_count": 2,
        "observed_at": "2026-11-02T20:30:00+08:00",
    }
    submission = case.open311_submission
    assert submission.client == demo and submission.account_id == "u-42"


def test_contact_fields_go_to_the_reporter_fields_and_are_never_returned(client, demo):
    _, (receipt,), _ = post(
        client,
        "json",
        report(
            first_name="小明",
            last_name="王",
            phone="13812345678",
            email="wang@example.com",
            device_id="device-77",
        ),
    )
    case = Case.objects.get(number=receipt["service_request_id"])
    assert (case.reporter_name, case.reporter_phone) == ("王小明", "13812345678")
    assert case.reporter_user is None and case.created_by is None
    assert case.open311_submission.email == "wang@example.com"
    for fmt in FORMATS:
        response = client.get(f"/open311/v2/requests/{case.number}.{fmt}")
        text = response.content.decode()
        for secret in ("小明", "13812345678", "wang@example.com", "device-77", case.tracking_token):
            assert secret not in text
        response = client.get("/open311/v2/requests.json")
        assert "13812345678" not in response.content.decode()


def test_western_names_keep_their_order(client, demo):
    _, (receipt,), _ = post(client, "json", report(first_name="Ada", last_name="Lovelace"))
    assert Case.objects.get(number=receipt["service_request_id"]).reporter_name == "Ada Lovelace"


def test_an_address_string_alone_is_a_location(client, demo, city):
    status, (receipt,), _ = post(
        client,
        "xml",
        report(
            lat="", long="", address_string="朝阳路202号桂梅家园2栋", media_url="https://x.cn/a.jpg"
        ),
    )
    assert status == 201
    case = Case.objects.get(number=receipt["service_request_id"])
    assert case.address == "朝阳路202号桂梅家园2栋"
    assert case.lat is None and case.grid.code == "360802001001001"


def test_an_address_id_is_a_building_code(client, demo):
    status, (receipt,), _ = post(
        client, "json", report(lat="", long="", address_id="360802001001001002")
    )
    assert status == 201
    case = Case.objects.get(number=receipt["service_request_id"])
    assert case.grid.code == "360802001001001"
    assert case.address == "朝阳路202号桂梅家园2栋"
    assert (case.lng, case.lat) == (114.970808, 27.090222)
    _, (row,) = get(client, f"requests/{case.number}", "json", "service_requests")
    assert row["address_id"] == "360802001001001002"


def test_the_api_key_may_come_in_the_query_string(client, demo):
    params = report()
    key = params.pop("api_key")
    response = client.post(f"/open311/v2/requests.json?api_key={key}", params)
    assert response.status_code == 201


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(client, demo):
    first_status, first, response = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first_status == 201 and response["Idempotent-Replay"] == "false"
    again_status, again, response = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again_status == 201 and response["Idempotent-Replay"] == "true"
    assert again == first
    assert Case.objects.filter(channel="open311").count() == 1
    _, other, _ = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-2")
    assert other[0]["service_request_id"] != first[0]["service_request_id"]


def test_a_retry_in_the_other_format_replays_the_first_answer_in_that_format(client, demo):
    _, (first,), _ = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    status, (again,), response = post(client, "xml", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert status == 201 and response["Idempotent-Replay"] == "true"
    assert again["service_request_id"] == first["service_request_id"]
    assert Case.objects.filter(channel="open311").count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_reused_with_another_report_is_refused_and_nothing_is_lost_silently(
    client, demo, fmt
):
    status, _, _ = post(client, fmt, report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert status == 201
    other = report(description="另一件事：井盖丢了")
    status, body, response = post(client, fmt, other, root="errors", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_error(status, body, 422, "idempotency_key_reused")
    assert Case.objects.filter(channel="open311").count() == 1
    # The same key stays bound to the first report: its retry still replays.
    status, _, response = post(client, fmt, report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert status == 201 and response["Idempotent-Replay"] == "true"


def test_each_client_system_has_its_own_keys(client, demo, partner):
    _, (ours,), _ = post(client, "json", report(), HTTP_IDEMPOTENCY_KEY="k-1")
    status, (theirs,), response = post(
        client, "json", report(api_key=PARTNER_KEY), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert status == 201 and response["Idempotent-Replay"] == "false"
    assert theirs["service_request_id"] != ours["service_request_id"]


def test_a_refused_report_is_remembered_with_its_key_like_any_first_answer(client, demo):
    bad = report(service_code="ZA-002")  # a required attribute is missing
    status, body, _ = post(client, "json", bad, root="errors", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_error(status, body, 400, "attribute[happening_now]")
    status, again, response = post(client, "json", bad, root="errors", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (status, again, response["Idempotent-Replay"]) == (400, body, "true")
    assert not Case.objects.exists()


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_api_key_is_403(client, demo, fmt):
    params = report()
    del params["api_key"]
    status, body, _ = post(client, fmt, params, root="errors")
    assert_error(status, body, 403, "api_key")
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_api_key_is_403(client, demo, fmt):
    status, body, _ = post(client, fmt, report(api_key="guess"), root="errors")
    assert_error(status, body, 403, "api_key")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_deactivated_client_is_403(client, demo, fmt):
    ApiClient.objects.filter(pk=demo.pk).update(is_active=False)
    status, body, _ = post(client, fmt, report(), root="errors")
    assert_error(status, body, 403, "api_key")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_without_the_post_scope_is_403(client, demo, fmt):
    ApiClient.objects.filter(pk=demo.pk).update(scopes=["open311.read"])
    status, body, _ = post(client, fmt, report(), root="errors")
    assert_error(status, body, 403, "open311.post")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_for_another_jurisdiction_is_403(client, demo, fmt):
    ApiClient.objects.filter(pk=demo.pk).update(jurisdictions=["other.city"])
    status, body, _ = post(client, fmt, report(), root="errors")
    assert_error(status, body, 403, JURISDICTION)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_jurisdiction_is_404(client, demo, fmt):
    status, body, _ = post(client, fmt, report(jurisdiction_id="sfgov.org"), root="errors")
    assert_error(status, body, 404, "sfgov.org")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_service_code_is_400(client, demo, fmt):
    status, body, _ = post(client, fmt, report(service_code=""), root="errors")
    assert_error(status, body, 400, "service_code")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_404(client, demo, fmt):
    status, body, _ = post(client, fmt, report(service_code="XX-999"), root="errors")
    assert_error(status, body, 404, "XX-999")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_location_is_400(client, demo, fmt):
    status, body, _ = post(client, fmt, report(lat="", long=""), root="errors")
    assert_error(status, body, 400, "lat", "address_string", "address_id")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("lat", "long", "word"),
    [
        ("north", LNG, "lat"),
        (LAT, "nan", "long"),
        (91, LNG, "lat"),
        (LAT, -181, "long"),
        (LAT, "", "lat 和 long"),
        (0, 0, "不在本辖区"),
    ],
)
def test_bad_lat_long_is_400(client, demo, fmt, lat, long, word):
    status, body, _ = post(client, fmt, report(lat=lat, long=long), root="errors")
    assert_error(status, body, 400, word)
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_address_id_is_400(client, demo, fmt):
    status, body, _ = post(client, fmt, report(lat="", long="", address_id="999"), root="errors")
    assert_error(status, body, 400, "address_id")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_bad_field_is_reported_at_once(client, demo, fmt):
    status, body, _ = post(
        client,
        fmt,
        report(
            description="长" * 4001,
            media_url="javascript:alert(1)",
            email="not-an-email",
            phone="call me",
            **{
                "attribute[severity]": "apocalyptic",
                "attribute[photo_count]": "99",
                "attribute[observed_at]": "yesterday",
                "attribute[landmark]": "第一行\n第二行",
                "attribute[affected][]": ["residents", "aliens"],
                "attribute[privacy_notice]": "x",
                "attribute[colour]": "red",
            },
        ),
        root="errors",
    )
    assert_error(
        status,
        body,
        400,
        "description",
        "media_url",
        "email",
        "phone",
        "attribute[severity]",
        "attribute[photo_count]",
        "attribute[observed_at]",
        "attribute[landmark]",
        "aliens",
        "attribute[privacy_notice]",
        "attribute[colour]",
    )
    assert len(body) == 11
    assert not Case.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_required_attribute_must_be_answered(client, demo, fmt):
    params = report(service_code="ZA-002")
    status, body, _ = post(client, fmt, params, root="errors")
    assert_error(status, body, 400, "attribute[happening_now]")
    status, _, _ = post(client, fmt, {**params, "attribute[happening_now]": "no"})
    assert status == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_too_long_idempotency_key_is_400(client, demo, fmt):
    status, body, _ = post(client, fmt, report(), root="errors", HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert_error(status, body, 400, "Idempotency-Key")


def test_a_private_clients_key_posts_too(client, partner):
    status, (receipt,), _ = post(client, "json", report(api_key=PARTNER_KEY))
    assert status == 201
    assert Case.objects.get(number=receipt["service_request_id"]).source_system == "partner"
