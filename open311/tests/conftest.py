"""Open311 test helpers: clients with keys, and both formats read into one tree.

The XML is read with xml.etree and checked against the element names the GeoReport v2
specification gives (a container holds only its own item elements), then turned into the
same tree the JSON gives, with JSON's scalars as XML's text (true/false, numbers as
written, null as an empty element). So every test runs once per format on one tree.
"""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from open311.models import ApiClient
from tests.conftest import city, live_city  # noqa: F401 (fixtures)

BASE = "/open311/v2"
JURISDICTION = "gridgov.local"
DEMO_KEY = "demo-open311-key"
PARTNER_KEY = "partner-key-0123456789abcdef"
FORMATS = ["json", "xml"]
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# From the specification: each container element and the one element it repeats.
CONTAINERS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# A point inside grid 360802001001001 (a building's position in the tiny city).
LNG, LAT = 114.970808, 27.090222


def from_xml(element: ET.Element):
    if element.tag in CONTAINERS:
        item = CONTAINERS[element.tag]
        assert all(child.tag == item for child in element), (element.tag, list(element))
        return [from_xml(child) for child in element]
    if len(element):
        tags = [child.tag for child in element]
        assert len(tags) == len(set(tags)), f"repeated elements in <{element.tag}>: {tags}"
        return {child.tag: from_xml(child) for child in element}
    return element.text


def as_text(value):
    """JSON's tree with its scalars written as XML writes them."""
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value == "":
        return None
    return str(value)


def read(response, fmt: str, root: str):
    """The body of a GeoReport answer as a tree of texts; checks the content type and,
    for XML, the declaration and the root element's name."""
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        return as_text(json.loads(response.content))
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)
    assert element.tag == root
    return from_xml(element)


def get(client, resource: str, fmt: str, root: str, **params):
    response = client.get(f"{BASE}/{resource}.{fmt}", params)
    return response.status_code, read(response, fmt, root)


def post(client, fmt: str, params: dict, root: str = "service_requests", **environ):
    response = client.post(
        f"{BASE}/requests.{fmt}",
        urlencode(params, doseq=True),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        **environ,
    )
    return response.status_code, read(response, fmt, root), response


def report(**extra) -> dict:
    """A valid POST for a broken street light inside the demo grid."""
    return {
        "api_key": DEMO_KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "JS-001",
        "lat": LAT,
        "long": LNG,
        "description": "朝阳路口的路灯不亮了\n晚上很黑",
        **extra,
    }


def assert_error(status: int, body, expected_status: int, *words: str):
    """A GeoReport error list: every entry {code, description}, codes the HTTP status."""
    assert status == expected_status, body
    assert isinstance(body, list) and body, body
    for error in body:
        assert set(error) == {"code", "description"}, error
        assert error["code"] == str(expected_status)
        assert error["description"]
    text = " ".join(error["description"] for error in body)
    for word in words:
        assert word in text, (word, text)


@pytest.fixture
def demo(city, db):  # noqa: F811 (fixture)
    client = ApiClient(name="演示", slug="demo", requests_public=True)
    client.set_key(DEMO_KEY)
    client.save()
    return client


@pytest.fixture
def partner(city, db):  # noqa: F811 (fixture)
    """A client whose requests are private: only its own key reads them."""
    client = ApiClient(name="合作单位", slug="partner", requests_public=False)
    client.set_key(PARTNER_KEY)
    client.save()
    return client
