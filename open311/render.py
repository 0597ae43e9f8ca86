"""GeoReport's two formats. XML is schemaless, without a namespace, UTF-8 with the XML
declaration; a list becomes repeated child elements under its container (services/service,
service_requests/request, attributes/attribute, values/value, endpoints/endpoint,
formats/format, errors/error). JSON is the same tree (the Spark convention): a list is an
array, a missing value is null."""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

# The element each container's items get.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
FORMATS = {"json": "application/json", "xml": "text/xml"}

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, list):
        item_tag = ITEMS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    ET.indent(element, space="  ")
    body = ET.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def respond(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=f"{FORMATS[fmt]}; charset=utf-8")
