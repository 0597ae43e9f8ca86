"""discovery, services and services/{code}, in both formats."""

import json

import pytest

from catalog.models import MatterCategory
from open311.attributes import DATATYPES
from open311.tests.conftest import BASE, FORMATS, JURISDICTION, assert_error, get, read

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_v2_endpoint_and_both_formats(client, city, fmt):
    status, body = get(client, "discovery", fmt, "discovery")
    assert status == 200
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"http://testserver{BASE}"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"] and "T" in body["changeset"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_catalogue(client, city, fmt):
    MatterCategory.objects.filter(code="SR-002").update(is_active=False)
    status, services = get(client, "services", fmt, "services", jurisdiction_id=JURISDICTION)
    assert status == 200
    codes = [s["service_code"] for s in services]
    assert sorted(codes) == sorted(
        MatterCategory.objects.filter(is_active=True).values_list("code", flat=True)
    )
    assert "SR-002" not in codes
    light = next(s for s in services if s["service_code"] == "JS-001")
    assert light == {
        "service_code": "JS-001",
        "service_name": "路灯不亮",
        "description": "市政设施：路灯不亮",
        "metadata": "true",
        "type": "realtime",
        "keywords": "路灯, 不亮, 灯不亮, 照明, 黑灯瞎火, 路灯坏了",
        "group": "市政设施",
    }


def test_services_json_uses_real_booleans(client, city):
    response = client.get(f"{BASE}/services.json")
    services = json.loads(response.content)
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_asks_every_datatype_with_values(client, city, fmt):
    status, definition = get(client, "services/JS-001", fmt, "service_definition")
    assert status == 200
    assert definition["service_code"] == "JS-001"
    attributes = definition["attributes"]
    assert {a["datatype"] for a in attributes} == set(DATATYPES)
    assert [a["order"] for a in attributes] == [str(n) for n in range(1, len(attributes) + 1)]
    for attribute in attributes:
        assert set(attribute) == {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        }
        assert attribute["variable"] in ("true", "false")
        assert attribute["required"] in ("true", "false")
        if attribute["datatype"].endswith("valuelist"):
            values = attribute["values"]
            assert values and all(set(value) == {"key", "name"} for value in values)
        else:
            assert attribute["values"] == []
    severity = next(a for a in attributes if a["code"] == "severity")
    assert [v["key"] for v in severity["values"]] == ["normal", "serious", "urgent"]
    notice = next(a for a in attributes if a["code"] == "privacy_notice")
    assert notice["variable"] == "false"
    # The group's own question comes after the common ones.
    assert attributes[-1]["code"] == "facility_number"


def test_a_group_can_make_an_attribute_required(client, city):
    response = client.get(f"{BASE}/services/ZA-002.json")
    definition = json.loads(response.content)
    happening = next(a for a in definition["attributes"] if a["code"] == "happening_now")
    assert happening["required"] is True
    assert happening["values"] == [
        {"key": "yes", "name": "正在发生"},
        {"key": "no", "name": "已经结束"},
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_or_inactive_service_code_is_404(client, city, fmt):
    status, body = get(client, "services/NOPE-1", fmt, "errors")
    assert_error(status, body, 404, "NOPE-1")
    MatterCategory.objects.filter(code="SR-002").update(is_active=False)
    status, body = get(client, "services/SR-002", fmt, "errors")
    assert_error(status, body, 404, "SR-002")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "resource",
    ["discovery", "services", "services/JS-001", "requests", "requests/JZ-1", "tokens/abc"],
)
def test_a_wrong_jurisdiction_is_404_everywhere(client, city, fmt, resource):
    status, body = get(client, resource, fmt, "errors", jurisdiction_id="elsewhere.gov")
    assert_error(status, body, 404, "elsewhere.gov")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_resource_is_a_georeport_404(client, city, fmt):
    response = client.get(f"{BASE}/reports.{fmt}")
    assert_error(response.status_code, read(response, fmt, "errors"), 404, "reports")


def test_a_format_we_do_not_serve_is_a_404_in_xml(client, city):
    response = client.get(f"{BASE}/services.html")
    assert_error(response.status_code, read(response, "xml", "errors"), 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_to_a_read_only_resource_is_405(client, city, fmt):
    response = client.post(f"{BASE}/services.{fmt}", {})
    assert_error(response.status_code, read(response, fmt, "errors"), 405)
    assert response["Allow"] == "GET"


def test_the_root_leads_to_discovery(client, city):
    response = client.get(f"{BASE}/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/discovery.xml"
