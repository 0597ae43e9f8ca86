"""GET requests, requests/{id} and tokens/{token}: filters, limits, who sees what, errors."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.actions import Report, do_case_action, do_create_case
from cases.models import Case
from open311.tests.conftest import (
    DEMO_KEY,
    FORMATS,
    PARTNER_KEY,
    assert_error,
    get,
    post,
    report,
)
from org.models import User

pytestmark = pytest.mark.django_db

FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def submit(client, **extra) -> Case:
    status, (receipt,), _ = post(client, "json", report(**extra))
    assert status == 201
    return Case.objects.get(number=receipt["service_request_id"])


def age(case: Case, days: int) -> None:
    """Move a case's submission into the past (the timeline moves with it)."""
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_lists_public_requests_newest_first(client, demo, fmt):
    first, second = submit(client), submit(client, service_code="HW-001")
    status, rows = get(client, "requests", fmt, "service_requests")
    assert status == 200
    assert [row["service_request_id"] for row in rows] == [second.number, first.number]
    assert all(list(row) == FIELDS for row in rows)
    row = rows[1]
    assert row["status"] == "open"
    assert row["status_notes"] == "已提交"
    assert (row["service_code"], row["service_name"]) == ("JS-001", "路灯不亮")
    assert row["description"].startswith("朝阳路口的路灯不亮了\n晚上很黑")
    assert row["agency_responsible"] == first.grid.name
    assert row["requested_datetime"] == timezone.localtime(first.created_at).isoformat(
        timespec="seconds"
    )
    assert row["requested_datetime"].endswith("+08:00")
    assert row["updated_datetime"] == row["requested_datetime"]
    assert row["expected_datetime"] == timezone.localtime(first.due_at).isoformat(
        timespec="seconds"
    )
    assert (row["lat"], row["long"]) == ("27.090222", "114.970808")
    assert row["zipcode"] is None and row["media_url"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_by_id(client, demo, fmt):
    case = submit(client, media_url="https://photos.example/1.jpg")
    status, (row,) = get(client, f"requests/{case.number}", fmt, "service_requests")
    assert status == 200
    assert row["service_request_id"] == case.number
    assert row["media_url"] == "https://photos.example/1.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_id_is_404(client, demo, fmt):
    status, body = get(client, "requests/JZ-19990101-000001", fmt, "errors")
    assert_error(status, body, 404, "JZ-19990101-000001")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_leads_to_its_request(client, demo, fmt):
    case = submit(client)
    status, body = get(client, f"tokens/{case.tracking_token}", fmt, "service_requests")
    assert status == 200
    assert body == [{"service_request_id": case.number, "token": case.tracking_token}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_404(client, demo, fmt):
    status, body = get(client, "tokens/not-a-token", fmt, "errors")
    assert_error(status, body, 404, "not-a-token")


# -- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_takes_a_comma_list_and_overrides_the_rest(client, demo, fmt):
    a, b, c = submit(client), submit(client), submit(client)
    age(a, 200)  # far outside the default window
    status, rows = get(
        client,
        "requests",
        fmt,
        "service_requests",
        service_request_id=f"{a.number},{c.number}",
        status="closed",
        service_code="HW-001",
    )
    assert status == 200
    assert {row["service_request_id"] for row in rows} == {a.number, c.number}
    assert b.number not in str(rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_and_status_filters(client, demo, fmt):
    light, rubbish = submit(client), submit(client, service_code="HW-001")
    admin = User.objects.get(username="demo-admin")
    do_case_action(rubbish.pk, "reject", actor=admin, version=1, data={"reason": "重复"})
    _, rows = get(client, "requests", fmt, "service_requests", service_code="JS-001,HW-001")
    assert len(rows) == 2
    _, rows = get(client, "requests", fmt, "service_requests", service_code="HW-001")
    assert [row["service_request_id"] for row in rows] == [rubbish.number]
    _, rows = get(client, "requests", fmt, "service_requests", status="open")
    assert [row["service_request_id"] for row in rows] == [light.number]
    _, rows = get(client, "requests", fmt, "service_requests", status="closed")
    assert [(row["service_request_id"], row["status_notes"]) for row in rows] == [
        (rubbish.number, "不予受理：重复")
    ]
    _, rows = get(client, "requests", fmt, "service_requests", status="open,closed")
    assert len(rows) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_default_window_is_the_last_90_days(client, demo, fmt):
    recent, old = submit(client), submit(client)
    age(old, 91)
    _, rows = get(client, "requests", fmt, "service_requests")
    assert [row["service_request_id"] for row in rows] == [recent.number]
    # A window given by its start runs 90 days from there.
    start = timezone.localtime(timezone.now() - dt.timedelta(days=100)).isoformat()
    _, rows = get(client, "requests", fmt, "service_requests", start_date=start)
    assert [row["service_request_id"] for row in rows] == [old.number]
    end = (timezone.now() - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _, rows = get(client, "requests", fmt, "service_requests", end_date=end)
    assert [row["service_request_id"] for row in rows] == [old.number]


def test_an_unencoded_plus_in_a_date_is_understood(client, demo):
    case = submit(client)
    day = timezone.localtime(case.created_at).date()
    query = f"start_date={day}T00:00:00+08:00&end_date={day}T23:59:59+08:00"
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200
    assert [row["service_request_id"] for row in response.json()] == [case.number]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("T00:00:00.000 08:00", "T23:59:59.999 08:00"),  # fractions, unencoded +
        ("T00:00 08:00", "T23:59 08:00"),  # no seconds
        ("T00:00+0800", "T23:59:59+08"),  # ISO 8601's short offsets
        ("T00:00:00.5%2B08:00", "T23:59:59Z"),
        ("", ""),  # a bare date: its local midnight
    ],
)
def test_every_w3c_form_of_a_date_is_understood(client, demo, start, end):
    case = submit(client)
    day = timezone.localtime(case.created_at).date()
    following = day + dt.timedelta(days=1)
    end_day = following if end == "" else day
    query = f"start_date={day}{start}&end_date={end_day}{end}"
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200, response.content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"status": "pending"}, "status"),
        ({"status": "open,maybe"}, "maybe"),
        ({"start_date": "last tuesday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-10-01T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"}, "早于"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 天"),
        ({"service_code": "JS-001,NOPE-9"}, "NOPE-9"),
        ({"page_size": "1001"}, "1000"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "-1"}, "page"),
    ],
)
def test_bad_filters_are_400(client, demo, fmt, params, word):
    status, body = get(client, "requests", fmt, "errors", **params)
    assert_error(status, body, 400, word)


@pytest.mark.parametrize("fmt", FORMATS)
def test_more_than_1000_ids_is_400(client, demo, fmt):
    ids = ",".join(f"JZ-20261101-{n:06d}" for n in range(1001))
    status, body = get(client, "requests", fmt, "errors", service_request_id=ids)
    assert_error(status, body, 400, "1000")


def test_at_most_1000_per_answer_and_pages_beyond(client, demo, monkeypatch):
    monkeypatch.setattr("open311.forms.MAX_REQUESTS", 2)
    cases = [submit(client) for _ in range(3)]
    numbers = [c.number for c in reversed(cases)]
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()] == (
        numbers[:2]
    )
    page2 = client.get("/open311/v2/requests.json", {"page": 2}).json()
    assert [r["service_request_id"] for r in page2] == numbers[2:]
    page = client.get("/open311/v2/requests.json", {"page_size": 1, "page": 2}).json()
    assert [r["service_request_id"] for r in page] == numbers[1:2]
    response = client.get("/open311/v2/requests.json", {"page_size": 3})
    assert response.status_code == 400


def test_the_list_costs_the_same_queries_for_one_or_many(client, demo, django_assert_num_queries):
    submit(client)
    with django_assert_num_queries(1):
        assert len(client.get("/open311/v2/requests.json").json()) == 1
    for _ in range(4):
        submit(client)
    with django_assert_num_queries(1):
        assert len(client.get("/open311/v2/requests.json").json()) == 5
    with django_assert_num_queries(2):  # the key's client, then the list
        client.get("/open311/v2/requests.json", {"api_key": DEMO_KEY})


# -- who sees what ------------------------------------------------------------------------


def test_a_private_clients_requests_need_its_own_key(client, demo, partner):
    public = submit(client)
    private = submit(client, api_key=PARTNER_KEY)
    resident = do_create_case(
        Report(title="楼道灯坏了", channel="qr_code", grid_code="360802001001001")
    )

    def listed(**params):
        rows = client.get("/open311/v2/requests.json", params).json()
        return {row["service_request_id"] for row in rows}

    assert listed() == {public.number}
    assert listed(api_key=PARTNER_KEY) == {public.number, private.number}
    assert listed(api_key=DEMO_KEY) == {public.number}
    path = f"/open311/v2/requests/{private.number}.json"
    assert client.get(path).status_code == 404
    assert client.get(path, {"api_key": DEMO_KEY}).status_code == 404
    assert client.get(path, {"api_key": PARTNER_KEY}).status_code == 200
    # Cases from other channels are never shown, unless a client may read them all.
    assert client.get(f"/open311/v2/requests/{resident.number}.json").status_code == 404
    partner.scopes = ["open311.read_all"]
    partner.save(update_fields=["scopes"])
    assert listed(api_key=PARTNER_KEY) == {public.number, private.number, resident.number}
    path = f"/open311/v2/requests/{resident.number}.xml"
    assert client.get(path, {"api_key": PARTNER_KEY}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_key_on_a_read_is_403(client, demo, fmt):
    status, body = get(client, "requests", fmt, "errors", api_key="nope")
    assert_error(status, body, 403, "api_key")
    status, body = get(client, "requests/JZ-1", fmt, "errors", api_key="nope")
    assert_error(status, body, 403, "api_key")


def test_digit_runs_in_texts_are_masked(client, demo):
    case = submit(client, description="路灯坏了，请联系 13812345678")
    (row,) = client.get(f"/open311/v2/requests/{case.number}.json").json()
    assert "13812345678" not in row["description"] and "****" in row["description"]
