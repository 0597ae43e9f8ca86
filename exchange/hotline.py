"""The 12345 hotline exchange: orders in (files with a saved column mapping, or pushed
through the API) and status and results out, in the hotline's own column layout."""

import math
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Prefetch
from django.utils import timezone

from cases.actions.intake import may_file_at
from cases.models import Assignment, AssignmentRole, Case, Satisfaction, Status
from catalog.classify import get_classifier
from catalog.models import MatterCategory
from exchange.actions import HotlineOrder, do_import_hotline_order, order_title
from exchange.addresses import address_index, normalise
from exchange.importing import CREATED, UNCHANGED, Column, Row, RowError, Sheet
from exchange.models import DEFAULT_DATE_FORMAT, HotlineSystem, ImportKind
from exchange.preset import IMPORTED_STATUSES
from exchange.tabular import text
from gridgov.masking import mask_text
from gridgov.parsing import implausible_date
from org.locator import locator
from org.models import OrgNode
from residents.masking import mask_phone

# Our fields of an order, with the header we use and headers hotlines commonly use.
FIELDS = (
    Column("ticket_no", "工单编号", True, ("工单号", "受理编号", "编号", "单号")),
    Column("received_at", "受理时间", True, ("来电时间", "登记时间", "创建时间", "派单时间")),
    Column("caller", "来电人", False, ("来电人姓名", "诉求人", "联系人", "姓名")),
    Column("phone", "联系电话", False, ("来电号码", "电话", "手机号", "联系方式")),
    Column("address", "事发地址", False, ("地址", "问题地址", "诉求地址", "事件地址")),
    Column("title", "标题", False, ("工单标题", "诉求标题")),
    Column("content", "诉求内容", True, ("内容", "来电内容", "问题描述", "工单内容")),
    Column("category", "诉求分类", False, ("分类", "问题分类", "事项分类", "诉求类别", "一级分类")),
    Column("subcategory", "二级分类", False, ("诉求小类", "问题小类", "二级分类名称")),
    Column("deadline", "办理时限", False, ("办结时限", "截止时间", "处理时限", "期限")),
    Column("lng", "经度", False, ("lng", "longitude")),
    Column("lat", "纬度", False, ("lat", "latitude")),
)
# A historical order's state at the hotline: read on import, written on export.
HISTORY_FIELDS = (
    Column("status", "办理状态", False, ("工单状态", "状态", "处理状态")),
    Column("result", "办理结果", False, ("处理结果", "办理情况", "答复内容")),
    Column("resolved_at", "办结时间", False, ("完成时间", "办结日期", "归档时间")),
    Column("satisfaction", "满意度", False, ("回访满意度", "评价结果", "满意度评价")),
)
_HISTORY = {field.key: field for field in HISTORY_FIELDS}
# What we send back, after the order's own columns.
EXPORT_FIELDS = (
    Column("case_number", "平台编号"),
    _HISTORY["status"],
    Column("handling_unit", "承办单位"),
    Column("grid", "所属网格"),
    _HISTORY["result"],
    _HISTORY["resolved_at"],
    _HISTORY["satisfaction"],
)
IMPORT_FIELDS = FIELDS + HISTORY_FIELDS
ALL_FIELDS = FIELDS + EXPORT_FIELDS
NOT_EXPORTED = ("lng", "lat", "subcategory")

FALLBACK_DATE_FORMATS = (
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分%S秒",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日",
)
_PHONE = re.compile(r"^\+?[0-9*][0-9*\-]{3,19}$")
# Orders received more than this far in the future are typing errors.
FUTURE_SLACK = timedelta(days=1)
MAX_LENGTH = {"ticket_no": 64, "caller": 50, "address": 200, "title": 200}
# Words hotlines use for a resident's rating, beyond our own labels.
SATISFACTION_WORDS = {
    "非常满意": Satisfaction.SATISFIED,
    "比较满意": Satisfaction.BASIC,
    "一般": Satisfaction.BASIC,
    "非常不满意": Satisfaction.UNSATISFIED,
}


STATUS_NAMES = {value: str(label) for value, label in Status.choices}
SATISFACTION_NAMES = {value: str(label) for value, label in Satisfaction.choices}
SATISFACTION_LABELS = {label: value for value, label in SATISFACTION_NAMES.items()}
# Our own status labels, read back from our exports (the ones an import may set).
IMPORTED_LABELS = {STATUS_NAMES[status]: str(status) for status in IMPORTED_STATUSES}


def system_mapping(system: HotlineSystem) -> dict[str, str]:
    """Our field → the hotline's header (the saved mapping over our defaults); "" for a
    field the mapping switches off."""
    specified = system_specified(system)
    return {
        field.key: specified.get(field.key, field.label) for field in (*ALL_FIELDS, *IMPORT_FIELDS)
    }


def system_specified(system: HotlineSystem) -> dict[str, str]:
    """The fields the saved mapping names: our field → its header, "" when switched off
    (``""``, ``false`` or ``null`` in the mapping)."""
    return {
        key: (value.strip() if isinstance(value, str) else "")
        for key, value in (system.mapping or {}).items()
        if value is not True
    }


# -- values ------------------------------------------------------------------------------


def _zone(name: str | None):
    try:
        return ZoneInfo(name) if name else timezone.get_current_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


# Two defaults that differ in every part: what a text leaves out comes out differently.
_DEFAULTS = (datetime(2001, 1, 1, 0, 0, 0), datetime(2002, 2, 2, 23, 59, 59, 999999))
# The last second of a day (whole seconds: written back in the hotline's format, a
# deadline reads the same again).
END_OF_DAY = time(23, 59, 59)
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%X", "%c", "%T", "%R")


def _from_format(text: str, date_format: str) -> tuple[datetime, bool] | None:
    """(moment, has a time) by one strftime format, or None."""
    try:
        moment = datetime.strptime(text, date_format)
    except ValueError:
        return None
    return moment, any(d in date_format for d in _TIME_DIRECTIVES)


def _from_text(text: str, date_format: str) -> tuple[datetime, bool] | None:
    """(moment, has a time) of a date written as text: the hotline's own format first,
    then python-dateutil (ISO 8601 with or without an offset, ``YYYY/M/D H:MM:SS``,
    ``03/22/2011 02:27:57 PM`` — month first, as US-style 12-hour exports write it),
    then the Chinese forms dateutil cannot read (``2026年11月1日 8时30分``)."""
    from dateutil.parser import ParserError, parse

    text = re.sub(r"\s+", " ", text.strip())
    for candidate in (date_format,):
        if found := _from_format(text, candidate):
            return found
    if "年" not in text:
        try:
            early, late = (parse(text, default=default) for default in _DEFAULTS)
        except (ParserError, ValueError, OverflowError):
            early = late = None
        if early is not None:
            if early.date() != late.date():
                return None  # a time, or a month, without its full date
            return early, early.hour == late.hour
    for candidate in FALLBACK_DATE_FORMATS:
        if found := _from_format(text, candidate):
            return found
    return None


def parse_when(
    value, date_format: str, *, end_of_day: bool = False, zone: str | None = None
) -> datetime | None:
    """A cell as an aware datetime, or None when it is empty. Raises ValueError when it
    is not a date.

    One rule whatever the cell type: a date with no time is that day's start, or with
    ``end_of_day`` (deadlines) its last second (23:59:59); a time given is kept. A
    date cell and a whole Excel serial (46356) are dates; a datetime cell at exactly
    00:00:00 is read as a date (openpyxl gives date cells as midnight datetimes); a
    fractional serial has its time (openpyxl's from_excel). A time without an offset is in
    ``zone`` (the hotline's, default the server's); one with an offset keeps it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = None
    if isinstance(value, datetime):
        found = value, value.time() != time.min
    elif isinstance(value, date):
        found = datetime.combine(value, time.min), False
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 20000 <= value <= 80000:  # 1954–2119
            found = from_excel(value), not float(value).is_integer()
    else:
        found = _from_text(str(value), date_format)
    if found is None:
        raise ValueError(value)
    moment, has_time = found
    if not has_time:
        moment = datetime.combine(moment.date(), END_OF_DAY if end_of_day else time.min)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=_zone(zone))
    return moment


def cell_text(value) -> str:
    return text(value)


def _number(value) -> float | None:
    try:
        number = float(cell_text(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _point(values: dict) -> tuple[float | None, float | None, float | None, float | None]:
    """(lng, lat, raw lng, raw lat): the point when both are numbers within China's
    bounds (73–136 E, 3–54 N), else no point; the numbers sent are kept raw either way
    (a point abroad or swapped waits in triage, never refuses its order)."""
    raw_lng, raw_lat = _number(values.get("lng")), _number(values.get("lat"))
    usable = (
        raw_lng is not None and raw_lat is not None and 73 <= raw_lng <= 136 and 3 <= raw_lat <= 54
    )
    return (raw_lng, raw_lat, raw_lng, raw_lat) if usable else (None, None, raw_lng, raw_lat)


def _category_key(text: str) -> str:
    parts = [p.strip() for p in re.split(r"[>/\\|—_]+|－|＞|-", text) if p.strip()]
    return "/".join(parts)


def mapped_category(system: HotlineSystem | None, first: str, second: str = "") -> str | None:
    """The catalogue code the system's category words give a file's category (one level,
    or two joined: 「城乡建设」+「城乡规划」 → 「城乡建设/城乡规划」), the most specific first;
    None when the words are not in the system's table."""
    if system is None or not first:
        return None
    table = {_category_key(key): code for key, code in (system.category_map or {}).items()}
    joined = _category_key(f"{first}/{second}" if second else first)
    parts = joined.split("/")
    for size in range(len(parts), 0, -1):
        code = table.get("/".join(parts[:size]))
        if code:
            return code
    return None


class CategoryMatcher:
    """A hotline's category wording → our catalogue entry, by code or name; a path like
    「城乡建设>市政设施>路灯不亮」 is tried from its last part."""

    def __init__(self):
        self.by_key: dict[str, str] = {}
        for code, name in MatterCategory.objects.filter(is_active=True).values_list("code", "name"):
            self.by_key.setdefault(normalise(name), code)
            self.by_key[code.lower()] = code

    def match(self, wording: str) -> str | None:
        if not wording:
            return None
        parts = [p for p in re.split(r"[>/\\|\-—_]+|－|＞", wording) if p.strip()]
        for part in [wording, *reversed(parts)]:
            code = self.by_key.get(normalise(part)) or self.by_key.get(part.strip().lower())
            if code:
                return code
        return None


def _when(values: dict, key: str, label: str, date_format: str, zone, **options):
    try:
        moment = parse_when(values.get(key), date_format, zone=zone, **options)
    except ValueError:
        example = datetime(2026, 11, 1, 8, 30).strftime(date_format)
        raise RowError(
            f"{label}「{cell_text(values.get(key))}」不是有效时间(应为 {example} 这样)"
        ) from None
    if reason := implausible_date(moment, label):
        raise RowError(reason)
    return moment


def _status(system: HotlineSystem | None, wording: str) -> str | None:
    """Our status for the hotline's status word (its table, then our own labels, so an
    export of ours reads back); None for no word. Raises RowError for an unknown word: a
    closed order taken as new would turn red and call people out for nothing."""
    if not wording:
        return None
    table = (system.status_map if system is not None else None) or {}
    status = table.get(wording) or IMPORTED_LABELS.get(wording)
    if status is None:
        raise RowError(f"办理状态「{wording}」不在热线系统的状态对照里（请在对照表里加上它）")
    return status


def order_from_values(
    values: dict, date_format: str = DEFAULT_DATE_FORMAT, *, system: HotlineSystem | None = None
) -> HotlineOrder:
    """Check one order's values (from a file row or the API); raises RowError. Times
    without an offset are in the system's time zone; its status words map the order's
    state at the hotline (historical orders)."""
    zone = system.time_zone if system is not None else None
    texts = {key: cell_text(values.get(key)) for key in MAX_LENGTH}
    for key, limit in MAX_LENGTH.items():
        if len(texts[key]) > limit:
            label = next(f.label for f in FIELDS if f.key == key)
            raise RowError(f"{label}超过 {limit} 个字")
    ticket = texts["ticket_no"]
    if not ticket:
        raise RowError("工单编号为空")
    if any(ch.isspace() for ch in ticket):
        raise RowError(f"工单编号「{ticket}」含空格")
    received = _when(values, "received_at", "受理时间", date_format, zone)
    if received is None:
        raise RowError("受理时间为空")
    if received > timezone.now() + FUTURE_SLACK:
        raise RowError(f"受理时间 {received:%Y-%m-%d %H:%M} 晚于当前时间")
    deadline = _when(values, "deadline", "办理时限", date_format, zone, end_of_day=True)
    if deadline is not None and deadline <= received:
        raise RowError("办理时限早于受理时间")
    content = cell_text(values.get("content"))
    if not content:
        raise RowError("诉求内容为空")
    phone = re.sub(r"\s+", "", cell_text(values.get("phone")))
    if phone and not _PHONE.match(phone):
        raise RowError(f"联系电话「{phone}」格式不对")
    lng, lat, raw_lng, raw_lat = _point(values)
    status = _status(system, cell_text(values.get("status")))
    resolved = _when(values, "resolved_at", "办结时间", date_format, zone)
    if resolved is not None and resolved < received:
        raise RowError("办结时间早于受理时间")
    wording = cell_text(values.get("satisfaction"))
    return HotlineOrder(
        ticket_no=ticket,
        received_at=received,
        content=content,
        title=texts["title"],
        caller=texts["caller"],
        phone=phone,
        address=texts["address"],
        category="/".join(
            part for part in (cell_text(values.get(k)) for k in ("category", "subcategory")) if part
        ),
        deadline=deadline,
        lng=lng,
        lat=lat,
        raw_lng=raw_lng,
        raw_lat=raw_lat,
        status=status or "",
        status_text=cell_text(values.get("status")),
        result=cell_text(values.get("result")),
        resolved_at=resolved,
        satisfaction=SATISFACTION_WORDS.get(wording) or SATISFACTION_LABELS.get(wording, ""),
        satisfaction_text=wording,
    )


def order_category(system, order: HotlineOrder, matcher: CategoryMatcher) -> str | None:
    """The category an order comes in with (not a guess): the system's category table,
    else a catalogue entry of that name or code; None leaves it to the classifier. A code
    the table gives that the catalogue lacks (or retired) is skipped, not refused."""
    first, _, second = order.category.partition("/")
    code = mapped_category(system, first, second)
    if code and matcher.by_key.get(code.lower()) == code:  # an active catalogue code
        return code
    return matcher.match(order.category)


class Placement:
    """Where orders go: by their point when it lies in a grid, else by their address."""

    def __init__(self):
        self.index = address_index.get()

    def place(self, orders: list[HotlineOrder]) -> list[tuple[str | None, str]]:
        points = [(i, (o.lng, o.lat)) for i, o in enumerate(orders) if o.lng is not None]
        by_point = {}
        if points:
            codes = locator.locate_many([point for _, point in points])
            by_point = {i: code for (i, _), code in zip(points, codes, strict=True) if code}
        placed = []
        for i, order in enumerate(orders):
            if i in by_point:
                placed.append((by_point[i], "coordinates"))
                continue
            match = self.index.match(order.address, order.content) if order.address else None
            placed.append((match.grid_code, match.how) if match else (None, ""))
        return placed


HOW_NAMES = {
    "coordinates": "坐标",
    "address": "门牌地址",
    "building": "楼栋",
    "compound": "小区",
    "road": "路名门牌",
    "": "未匹配",
}


class HotlineSheet(Sheet):
    kind = ImportKind.HOTLINE
    title = "12345 工单"
    columns = IMPORT_FIELDS

    def __init__(self, user, system: HotlineSystem):
        super().__init__(user)
        self.system = system
        self.seen: dict[str, int] = {}
        self.existing: set[str] = set()

    def mapping(self) -> dict[str, str]:
        return system_mapping(self.system)

    def specified(self) -> dict[str, str]:
        return system_specified(self.system)

    def begin(self) -> None:
        self.categories = CategoryMatcher()
        self.placement = Placement()
        self.grid_names: dict[str, str] = {}

    def parse(self, row: Row) -> HotlineOrder:
        order = order_from_values(row.values, self.system.date_format, system=self.system)
        first = self.seen.setdefault(order.ticket_no, row.line)
        if first != row.line:
            raise RowError(f"工单编号 {order.ticket_no} 与第 {first} 行重复")
        return order

    def prepare(self, rows: list[Row]) -> None:
        tickets = [row.data.ticket_no for row in rows]
        self.existing = set(
            Case.objects.filter(source_system=self.system.slug, external_ref__in=tickets)
            .exclude(external_ref="")  # lets SQLite use the partial unique index
            .values_list("external_ref", flat=True)
        )
        fresh = [row for row in rows if row.data.ticket_no not in self.existing]
        for row, (code, how) in zip(
            fresh, self.placement.place([row.data for row in fresh]), strict=True
        ):
            row.notes.update(grid_code=code, how=how)
            if code and self.user is not None and not may_file_at(self.user, code):
                row.notes["out_of_scope"] = True

    def category_code(self, order: HotlineOrder) -> str | None:
        """The system's category table first, then our catalogue's names."""
        return order_category(self.system, order, self.categories)

    def _grid_name(self, code: str) -> str:
        if code not in self.grid_names:
            node = OrgNode.objects.filter(code=code).values_list("name", flat=True).first()
            self.grid_names[code] = node or code
        return self.grid_names[code]

    def apply(self, row: Row) -> str:
        order: HotlineOrder = row.data
        if order.ticket_no in self.existing:
            return UNCHANGED
        code = row.notes.get("grid_code")
        if row.notes.get("out_of_scope"):
            raise RowError(f"地址属于{self._grid_name(code)}({code}), 不在您的管辖范围")
        case, created = do_import_hotline_order(
            order,
            system=self.system,
            actor=self.user,
            grid_code=code,
            category_code=self.category_code(order),
            located_by=row.notes.get("how", ""),
        )
        row.notes["located"] = case.grid_id is not None
        return CREATED if created else UNCHANGED

    def counts(self, row: Row) -> dict:
        return {"located": 1} if row.outcome == CREATED and row.notes.get("located") else {}

    def describe(self, row: Row) -> dict:
        order: HotlineOrder = row.data
        if order.ticket_no in self.existing:
            return {"note": "已导入过，将跳过"}
        code = row.notes.get("grid_code")
        if row.notes.get("out_of_scope"):
            raise RowError(f"地址属于{self._grid_name(code)}({code}), 不在您的管辖范围")
        category_code = self.category_code(order)
        if category_code:
            category = MatterCategory.objects.filter(code=category_code).first()
            category_text = f"{category.name}(按文件分类)"
        else:
            suggestions = get_classifier().suggest(f"{order_title(order)} {order.content}", 1)
            category_text = (
                f"{suggestions[0].category.name}(自动分类)" if suggestions else "待人工分类"
            )
        return {
            "status": STATUS_NAMES.get(order.status, "") if order.status else "",
            "grid": f"{self._grid_name(code)}" if code else "未定位（进入分拨台）",
            "how": HOW_NAMES.get(row.notes.get("how", ""), ""),
            "category": category_text,
            "title": order_title(order),
        }


# -- export --------------------------------------------------------------------------------


def export_cases(system: HotlineSystem, user, *, since=None, until=None, statuses=()):
    """The system's cases the user may see, received in [since, until)."""
    cases = (
        Case.objects.restrict(user)
        .filter(source_system=system.slug)
        .select_related("grid", "category", "handling_node")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(role=AssignmentRole.LEAD).select_related(
                    "department", "node"
                ),
                to_attr="leads",
            )
        )
        .order_by("created_at", "pk")
    )
    if since:
        cases = cases.filter(created_at__gte=since)
    if until:
        cases = cases.filter(created_at__lt=until)
    if statuses:
        cases = cases.filter(status__in=statuses)
    return cases


def export_table(system: HotlineSystem, cases) -> tuple[list[str], list[list]]:
    """Headers and rows in the hotline's layout: its order columns, then ours. Phones
    are masked, and so are phones, ID numbers and e-mails in the free text (the export
    is never a revealing one); times in the hotline's date format and time zone."""
    mapping = system_mapping(system)
    fields = [f for f in ALL_FIELDS if f.key not in NOT_EXPORTED]
    headers = [mapping[f.key] for f in fields]
    status_names = {**STATUS_NAMES, **(system.status_names or {})}

    zone = _zone(system.time_zone)  # the zone its import reads them in

    def when(value):
        return value.astimezone(zone).strftime(system.date_format) if value else ""

    rows = []
    for case in cases.iterator(chunk_size=2000):
        leads = getattr(case, "leads", [])
        lead = leads[-1] if leads else None
        unit = lead.unit_name if lead else (case.handling_node.name if case.handling_node else "")
        values = {
            "ticket_no": case.external_ref,
            "received_at": when(case.created_at),
            "caller": case.reporter_name,
            "phone": mask_phone(case.reporter_phone),
            "address": mask_text(case.address),
            "title": mask_text(case.title),
            "content": mask_text(case.description),
            "category": case.category.name if case.category else "",
            "deadline": when(case.due_at),
            "case_number": case.number,
            "status": status_names.get(case.status, case.status),
            "handling_unit": unit,
            "grid": case.grid.name if case.grid else "",
            "result": mask_text(case.result),
            "resolved_at": when(case.resolved_at),
            "satisfaction": SATISFACTION_NAMES.get(case.satisfaction, ""),
        }
        rows.append([values[f.key] for f in fields])
    return headers, rows
