"""Bad input for Open311 (GeoReport v2 has no OpenAPI document, so no schemathesis): a
hypothesis fuzzer sends GETs and POSTs with random form fields, query strings, headers
and paths under /open311/v2/, in .json and .xml, to the application in this process.

Every answer must be below 500, in the format the path asks for, and either a GeoReport
error list (``[{code, description}]``, ``errors/error`` in XML, ``code`` the HTTP status)
or a valid answer of the resource: the discovery document, the service list, a service
definition, or a list of service requests. The field values mix the plausible (the demo
key, a real service code, a point inside a grid, W3C times, attribute answers) with
arbitrary text, so that many POSTs create cases and the GETs then read them back."""

import collections
import json
import os
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from open311.tests.conftest import (  # noqa: F401 (city, demo, partner: fixtures)
    DEMO_KEY,
    JURISDICTION,
    LAT,
    LNG,
    PARTNER_KEY,
    city,
    demo,
    from_xml,
    partner,
)

BASE = "/open311/v2"
# Per test; three tests (FUZZ_EXAMPLES changes it, for a longer hunt).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    # A fixed walk: CI replays exactly what was run here, on both databases.
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SENT = collections.Counter()

# Text that any client could send: no lone surrogates (they cannot be encoded at all).
anything = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
long_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=3990, max_size=4010)
number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["1e400", "-0", "0x10", "١٢", "NaN", " 27.09 ", "27,09"]),
)
w3_time = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.sampled_from(
        [
            "2026-11-01T00:00:00+08:00",
            "2026-11-01",
            "2026-11-01T00:00:00Z",
            "2026-13-45T99:99:99+08:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
        ]
    ),
)
service_code = st.sampled_from(["JS-001", "JS-002", "HJ-001", "ZA-001", "XF-001", "nope", ""])
plausible = {
    "api_key": st.sampled_from([DEMO_KEY, PARTNER_KEY, "wrong", ""]),
    "jurisdiction_id": st.sampled_from([JURISDICTION, "elsewhere", ""]),
    "service_code": st.one_of(service_code, st.lists(service_code).map(",".join)),
    "lat": st.one_of(st.just(str(LAT)), number),
    "long": st.one_of(st.just(str(LNG)), number),
    "address_string": st.one_of(anything, st.text(min_size=195, max_size=205)),
    "address_id": st.sampled_from(["3608020010010010010", "1", "x" * 40]),
    "description": st.one_of(anything, long_text),
    "media_url": st.sampled_from(["http://example.com/a.jpg", "javascript:alert(1)", "ftp://x"]),
    "email": st.sampled_from(["a@example.com", "not-an-email", "a@b"]),
    "phone": st.sampled_from(["13800138000", "+86 (0797) 1234567", "call me"]),
    "first_name": anything,
    "last_name": anything,
    "device_id": anything,
    "account_id": anything,
    "attribute[severity]": st.sampled_from(["normal", "urgent", "worst"]),
    "attribute[observed_at]": w3_time,
    "attribute[photo_count]": number,
    "attribute[affected][]": st.sampled_from(["residents", "shops", "aliens"]),
    "attribute[happening_now]": st.sampled_from(["yes", "no", "maybe"]),
    "attribute[hazard][]": anything,
    "attribute[landmark]": anything,
    "attribute[access_notes]": long_text,
    "attribute[]": anything,
    "attribute[[x]]": anything,
    "service_request_id": st.one_of(anything, st.lists(anything, max_size=30).map(",".join)),
    "status": st.sampled_from(["open", "closed", "open,closed", "pending", ""]),
    "start_date": w3_time,
    "end_date": w3_time,
    "page": number,
    "page_size": st.sampled_from(["1", "1000", "1001", "0", "-5", "ten"]),
}
field_name = st.one_of(st.sampled_from(sorted(plausible)), anything)


@st.composite
def fields(draw) -> list[tuple[str, str]]:
    """Form fields or a query string: some plausible pairs, some repeated, some random."""
    pairs = []
    for name in draw(st.lists(field_name, max_size=14)):
        values = plausible.get(name, anything)
        pairs += [(name, value) for value in draw(st.lists(values, min_size=1, max_size=3))]
    return pairs


def complete_report(draw_pairs):
    """A POST that should pass, with fuzzed extras on top."""
    base = [
        ("api_key", DEMO_KEY),
        ("service_code", "JS-001"),
        ("lat", str(LAT)),
        ("long", str(LNG)),
        ("description", "路灯不亮"),
    ]
    return base + draw_pairs


segment = st.one_of(
    st.sampled_from(["1", "JS-001", "RQ", "..", ".", "%00", "a.json", "a.xml"]),
    anything.filter(lambda text: text not in {"", ".", ".."}),
)
resource = st.one_of(
    st.sampled_from(["discovery", "services", "requests"]),
    segment.map(lambda s: f"services/{s}"),
    segment.map(lambda s: f"requests/{s}"),
    segment.map(lambda s: f"tokens/{s}"),
    st.lists(segment, min_size=1, max_size=4).map("/".join),
)
fmt = st.sampled_from(["json", "xml"])


def path_for(name: str, suffix: str) -> str:
    return f"{BASE}/{quote(name, safe='/')}.{suffix}" if suffix else f"{BASE}/{quote(name)}"


# What a successful answer's XML root is, by the resource its path names.
ROOTS = {
    "discovery": "discovery",
    "services": "services",
    "services/": "service_definition",
    "requests": "service_requests",
    "requests/": "service_requests",
    "tokens/": "service_requests",
}


def expected_root(path: str) -> str:
    rest = path[len(BASE) + 1 :].rsplit(".", 1)[0]
    if "/" in rest:
        return ROOTS.get(rest.split("/", 1)[0] + "/", "?")
    return ROOTS.get(rest, "?")


def check(response, path: str) -> None:
    """Below 500, in the asked format, and an error list or a valid answer."""
    assert response.status_code < 500, (path, response.status_code, response.content[:500])
    if response.status_code in (301, 302):
        return
    is_json = path.endswith(".json")
    content_type = response["Content-Type"]
    if is_json:
        assert content_type == "application/json; charset=utf-8", (path, content_type)
        tree = json.loads(response.content)
    else:
        assert content_type == "text/xml; charset=utf-8", (path, content_type)
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        element = ET.fromstring(response.content)  # well-formed, whatever went in
        if response.status_code >= 400:
            assert element.tag == "errors", (path, element.tag)
        else:
            assert element.tag == expected_root(path), (path, element.tag)
        tree = from_xml(element)
    if response.status_code >= 400:
        assert isinstance(tree, list) and tree, (path, tree)
        for error in tree:
            assert set(error) == {"code", "description"}, (path, error)
            assert str(error["code"]) == str(response.status_code), (path, error)
            assert error["description"], (path, error)
        return
    assert response.status_code in (200, 201), (path, response.status_code)
    root = expected_root(path)
    if root == "discovery":
        assert tree["endpoints"] and tree["changeset"], tree
    elif root == "services":
        assert all(row["service_code"] and row["service_name"] for row in tree), tree
    elif root == "service_definition":
        assert tree["service_code"] and isinstance(tree["attributes"], list), tree
    elif root == "service_requests":
        assert isinstance(tree, list), tree
        assert all(row["service_request_id"] for row in tree), tree
    else:
        pytest.fail(f"{path} answered {response.status_code} but names no resource")


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if SENT and capture is not None:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(SENT.items()))
        with capture.global_and_fixture_disabled():
            print(f"\nOpen311 fuzzing: {sum(SENT.values())} requests ({counts})")


@pytest.fixture
def clients(demo, partner):  # noqa: F811 (fixtures)
    """The public demo client (may post) and a private partner."""


@FUZZ
@given(name=resource, suffix=fmt, query=fields())
def test_gets_answer_georeport_or_an_error(client, clients, name, suffix, query):
    path = path_for(name, suffix)
    SENT["GET"] += 1
    check(client.get(path + "?" + urlencode(query)), path)


@FUZZ
@given(
    suffix=fmt,
    form=st.one_of(fields(), fields().map(complete_report)),
    query=fields(),
    key=st.one_of(st.none(), st.sampled_from(["retry-1", "retry-2", "k" * 65]), anything),
)
def test_posts_answer_georeport_or_an_error(client, clients, suffix, form, query, key):
    path = path_for("requests", suffix)
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key.encode().decode("latin-1")}
    SENT["POST requests"] += 1
    response = client.post(
        path + "?" + urlencode(query),
        urlencode(form),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        **headers,
    )
    check(response, path)


@FUZZ
@given(
    name=resource,
    suffix=st.sampled_from(["json", "xml", "", "JSON", "html"]),
    method=st.sampled_from(["post", "put", "patch", "delete", "options"]),
    body=st.one_of(st.binary(max_size=300), fields().map(urlencode).map(str.encode)),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain; charset=gbk",
        ]
    ),
)
def test_other_methods_paths_and_bodies_answer_an_error(
    client, clients, name, suffix, method, body, content_type
):
    path = path_for(name, suffix)
    SENT[f"{method.upper()} any path"] += 1
    response = client.generic(method.upper(), path, body, content_type=content_type)
    if not path.endswith(".json"):
        path = path.rsplit(".", 1)[0] + ".xml" if "." in path.rsplit("/", 1)[-1] else path + ".xml"
    check(response, path)
