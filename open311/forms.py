"""Reading GeoReport arguments: the fields of a POST request and the filters of GET requests.
Every problem found is reported at once, as one error each (all 400), except an unknown
service_code, which is a 404 as the specification lists it."""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone

from catalog.models import MatterCategory
from open311.actions import NewRequest
from open311.attributes import clean_answers, parse_w3_datetime
from open311.errors import bad_request, not_found
from open311.records import STATUS_VALUES
from org.locator import locator
from org.models import Building

DESCRIPTION_LIMIT = 4000  # GeoReport's limit
ADDRESS_LIMIT = 200
MAX_REQUESTS = 1000  # GeoReport's default and our ceiling per answer
MAX_SPAN = timedelta(days=90)
MAX_PAGE = 1_000_000  # keeps the offset within what the database takes
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]+)\](\[\])?")
_PHONE = re.compile(r"\+?[\d\- ()]{3,20}")


def _text(params, name: str) -> str:
    return (params.get(name) or "").strip()


def _coordinate(raw: str, name: str, limit: float, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        problems.append(f"{name} 应为 -{limit:g} 到 {limit:g} 之间的 WGS84 度数，收到 {raw!r}")
        return None
    return value


def attribute_values(params) -> dict[str, list[str]]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, by code."""
    values: dict[str, list[str]] = {}
    for key in params:
        match = _ATTRIBUTE.fullmatch(key)
        if match:
            values.setdefault(match.group(1), []).extend(params.getlist(key))
    return values


def service_or_404(code: str) -> MatterCategory:
    category = MatterCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise not_found(f"没有这个 service_code: {code}")
    return category


def parse_new_request(params) -> NewRequest:
    """The arguments of POST requests as a NewRequest, or an Open311Error."""
    code = _text(params, "service_code")
    if not code:
        raise bad_request("缺少 service_code")
    category = service_or_404(code)
    problems: list[str] = []
    new = NewRequest(category=category)

    raw_lat, raw_long = _text(params, "lat"), _text(params, "long")
    new.address = _text(params, "address_string")
    new.address_id = _text(params, "address_id")
    if not (raw_lat or raw_long or new.address or new.address_id):
        problems.append("缺少位置：需要 lat 和 long，或 address_string，或 address_id")
    if bool(raw_lat) != bool(raw_long):
        problems.append("lat 和 long 要一起提供")
    elif raw_lat:
        new.lat = _coordinate(raw_lat, "lat", 90, problems)
        new.lng = _coordinate(raw_long, "long", 180, problems)
    if len(new.address) > ADDRESS_LIMIT:
        problems.append(f"address_string 不能超过 {ADDRESS_LIMIT} 字")
    if new.address_id:
        building = Building.objects.select_related("grid").filter(code=new.address_id).first()
        if building is None:
            problems.append(f"没有这个 address_id: {new.address_id}（应为楼栋的统一编码）")
        else:
            new.grid_code = building.grid.code
            new.address = new.address or building.address
            if new.lat is None and building.lat is not None and building.lng is not None:
                new.lat, new.lng = building.lat, building.lng
    if (
        new.lat is not None
        and new.lng is not None
        and not (new.address or new.grid_code)
        and locator.locate(new.lng, new.lat) is None
    ):
        problems.append(f"位置 lat={new.lat}, long={new.lng} 不在本辖区的任何网格内")

    new.description = (params.get("description") or "").strip()
    if len(new.description) > DESCRIPTION_LIMIT:
        problems.append(f"description 不能超过 {DESCRIPTION_LIMIT} 字")
    new.media_url = _text(params, "media_url")
    if new.media_url:
        try:
            URLValidator(schemes=["http", "https"])(new.media_url)
            if len(new.media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems.append("media_url 应为 http(s) 网址，且不超过 500 字符")
    new.email = _text(params, "email")
    if new.email:
        try:
            EmailValidator()(new.email)
        except ValidationError:
            problems.append("email 格式不对")
    new.phone = _text(params, "phone")
    if new.phone and not _PHONE.fullmatch(new.phone):
        problems.append("phone 应为电话号码（数字，最长 20 位）")
    new.first_name = _text(params, "first_name")[:50]
    new.last_name = _text(params, "last_name")[:50]
    new.device_id = _text(params, "device_id")[:100]
    new.account_id = _text(params, "account_id")[:100]

    new.answers, attribute_problems = clean_answers(category, attribute_values(params))
    problems += attribute_problems

    if problems:
        raise bad_request(*problems)
    return new


@dataclass
class Filters:
    ids: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = MAX_REQUESTS


def _list(params, name: str) -> list[str]:
    """A comma-separated argument, which may also be given several times."""
    items: list[str] = []
    for raw in params.getlist(name):
        items += [item.strip() for item in raw.split(",") if item.strip()]
    return list(dict.fromkeys(items))


def _positive(params, name: str, problems: list[str], maximum: int | None = None) -> int | None:
    raw = _text(params, name)
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        problems.append(f"{name} 应为正整数")
        return None
    if maximum is not None and int(raw) > maximum:
        problems.append(f"{name} 最大为 {maximum}")
        return None
    return int(raw)


def _moment(raw: str) -> datetime | None:
    """A W3C time that the 90-day window and the database can hold, else None."""
    value = parse_w3_datetime(raw)
    try:
        if value is not None:
            (value - MAX_SPAN).astimezone(UTC), (value + MAX_SPAN).astimezone(UTC)
    except OverflowError:
        return None
    return value


def parse_filters(params, *, now=None) -> Filters:
    """The filters of GET requests. service_request_id overrides all the others; without
    it the window is at most 90 days of requested_datetime (the latest 90 days by
    default), at most 1000 requests per answer (``page_size``/``page`` page through)."""
    problems: list[str] = []
    filters = Filters()
    filters.ids = _list(params, "service_request_id")
    if len(filters.ids) > MAX_REQUESTS:
        problems.append(f"service_request_id 一次最多 {MAX_REQUESTS} 个")
    filters.page_size = _positive(params, "page_size", problems, MAX_REQUESTS) or MAX_REQUESTS
    filters.page = _positive(params, "page", problems, MAX_PAGE) or 1
    if filters.ids:
        if problems:
            raise bad_request(*problems)
        return filters

    filters.codes = _list(params, "service_code")
    if filters.codes:
        known = set(
            MatterCategory.objects.filter(code__in=filters.codes).values_list("code", flat=True)
        )
        unknown = [code for code in filters.codes if code not in known]
        if unknown:
            problems.append(f"没有这些 service_code: {', '.join(unknown)}")
    filters.statuses = _list(params, "status")
    bad = [status for status in filters.statuses if status not in STATUS_VALUES]
    if bad:
        problems.append(f"status 只能是 open 或 closed，收到 {', '.join(bad)}")

    dates = {}
    for name in ("start_date", "end_date"):
        raw = params.get(name) or ""
        if raw.strip():
            dates[name] = _moment(raw)
            if dates[name] is None:
                problems.append(f"{name} 应为 W3C 时间，如 2026-11-01T00:00:00+08:00，收到 {raw!r}")
    start, end = dates.get("start_date"), dates.get("end_date")
    if None not in dates.values():
        if start is None and end is None:
            end = now or timezone.now()
        if start is None:
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
        elif end < start:
            problems.append("end_date 早于 start_date")
        elif end - start > MAX_SPAN:
            problems.append("start_date 到 end_date 不能超过 90 天")
    if problems:
        raise bad_request(*problems)
    filters.start, filters.end = start, end
    return filters
