"""The read-only catalogue over real HTTP: intake channels, active matter categories with
their tier and deadline as the preset states it, and the tiers (issue 10, part 7)."""

from urllib.parse import quote

import pytest

from catalog.models import MatterCategory, Tier
from tests.conftest import Http


@pytest.fixture
def http(live_city):
    return Http(live_city)


def _all(api: Http, path: str) -> list[dict]:
    status, page = api.get(path + "?limit=500")
    assert status == 200, page
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == len(page["results"])
    return page["results"]


def test_any_signed_in_user_reads_the_catalogue_and_no_one_else(http):
    for path in ("/api/v1/channels/", "/api/v1/categories/", "/api/v1/tiers/"):
        status, body = http.get(path)
        assert status == 401 and body["code"] == "not_authenticated", body
        assert not body["detail"].isascii()  # in Chinese
        status, _ = http.get(path + "?api_key=demo-open311-key")  # Open311 has services.json
        assert status == 401
    resident = http.login("demo-resident")
    assert _all(resident, "/api/v1/tiers/")
    assert _all(resident, "/api/v1/categories/")
    assert _all(resident, "/api/v1/channels/")


def test_tiers_state_their_response_and_resolution_deadlines_with_units(http):
    tiers = {tier["code"]: tier for tier in _all(http.login("demo-grid"), "/api/v1/tiers/")}
    assert list(tiers) == list(Tier.objects.order_by("order").values_list("code", flat=True))
    # jizhou.toml: 简易问题 2 hours; 需协调 5 working days; 重点难点 10 to 15 working days.
    immediate, escalated = tiers["immediate"], tiers["escalated"]
    assert immediate["name"] == "简易问题" and immediate["handler"] == "grid"
    assert immediate["resolution"] == {
        "unit": "hours",
        "value": 2,
        "min_value": None,
        "text": "2小时",
    }
    # The response is never later than an hours deadline (catalog.deadlines.response_due).
    assert immediate["response"] == {
        "unit": "hours",
        "value": 2,
        "min_value": None,
        "text": "2小时",
    }
    assert tiers["coordinated"]["resolution"]["text"] == "5个工作日"
    assert escalated["resolution"] == {
        "unit": "working_days",
        "value": 15,
        "min_value": 10,
        "text": "10至15个工作日",
    }
    assert escalated["response"]["unit"] == "hours"


def test_categories_are_the_active_ones_with_their_tier_and_deadline_and_a_search(http):
    api = http.login("demo-grid")
    retired = MatterCategory.objects.order_by("code").first()
    MatterCategory.objects.filter(pk=retired.pk).update(is_active=False)
    status, page = api.get("/api/v1/categories/?limit=500")
    assert status == 200
    rows = {row["code"]: row for row in page["results"]}
    assert page["count"] == MatterCategory.objects.filter(is_active=True).count() == len(rows)
    assert retired.code not in rows
    lamp = rows["JS-001"]
    category = MatterCategory.objects.select_related("default_tier").get(code="JS-001")
    assert lamp["name"] == "路灯不亮" == category.name
    assert (lamp["group"], lamp["tier"], lamp["department_kind"]) == (
        category.group,
        category.default_tier.code,
        category.department_kind,
    )
    assert set(lamp["deadline"]) == {"unit", "value", "min_value", "text"}

    status, found = api.get(f"/api/v1/categories/?q={quote('路灯')}")
    assert status == 200 and found["count"] >= 1
    assert all("路灯" in row["name"] + row["group"] for row in found["results"])
    status, by_group = api.get(f"/api/v1/categories/?q={quote(category.group)}")
    assert {row["group"] for row in by_group["results"]} >= {category.group}
    status, none = api.get(f"/api/v1/categories/?q={quote('没有这种事项')}")
    assert status == 200 and none["count"] == 0

    status, first = api.get("/api/v1/categories/?limit=2")
    assert status == 200 and len(first["results"]) == 2 and "offset=2" in first["next"]
    status, bad = api.get("/api/v1/categories/?limit=abc")
    assert status == 400 and bad["code"] == "invalid"


def test_channels_name_the_platforms_and_the_presets_and_say_which_are_public(http):
    channels = {c["code"]: c for c in _all(http.login("demo-grid"), "/api/v1/channels/")}
    assert {"qr_code", "open311", "grid_report", "api", "hotline_12345"} <= set(channels)
    assert channels["qr_code"] == {"code": "qr_code", "name": "码上办扫码", "public": True}
    assert channels["hotline_12345"]["public"] is True
    assert channels["grid_report"]["public"] is False and channels["api"]["public"] is False
