"""The 12345 hotline exchange: orders in (files with a saved column mapping, or pushed
through the API) and status and results out, in the hotline's own column layout."""

import re
from datetime import date, datetime, time, timedelta

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
from exchange.tabular import text
from gridgov.masking import mask_text
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
    Column("category", "诉求分类", False, ("分类", "问题分类", "事项分类", "诉求类别")),
    Column("deadline", "办理时限", False, ("办结时限", "截止时间", "处理时限", "期限")),
    Column("lng", "经度", False, ("lng", "longitude")),
    Column("lat", "纬度", False, ("lat", "latitude")),
)
# What we send back, after the order's own columns.
EXPORT_FIELDS = (
    Column("case_number", "平台编号"),
    Column("status", "办理状态"),
    Column("handling_unit", "承办单位"),
    Column("grid", "所属网格"),
    Column("result", "办理结果"),
    Column("resolved_at", "办结时间"),
    Column("satisfaction", "满意度"),
)
ALL_FIELDS = FIELDS + EXPORT_FIELDS

FALLBACK_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
_PHONE = re.compile(r"^\+?[0-9*][0-9*\-]{3,19}$")
# Orders received more than this far in the future are typing errors.
FUTURE_SLACK = timedelta(days=1)
MAX_LENGTH = {"ticket_no": 64, "caller": 50, "address": 200, "title": 200, "content": 5000}


def system_mapping(system: HotlineSystem) -> dict[str, str]:
    """Our field → the hotline's header (the saved mapping over our defaults)."""
    saved = system.mapping or {}
    return {field.key: (saved.get(field.key) or field.label) for field in ALL_FIELDS}


# -- values ------------------------------------------------------------------------------


def _excel_serial(value: float) -> datetime | None:
    from openpyxl.utils.datetime import from_excel

    if 20000 <= value <= 80000:  # 1954–2119
        return from_excel(value)
    return None


def parse_when(value, date_format: str, *, end_of_day: bool = False) -> datetime | None:
    """A cell as an aware datetime (local time zone), or None when it is empty.
    Raises ValueError when it is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.max if end_of_day else time.min)
    elif isinstance(value, int | float):
        moment = _excel_serial(float(value))
    else:
        text = re.sub(r"\s+", " ", str(value).strip())
        for candidate in (date_format, *FALLBACK_DATE_FORMATS):
            try:
                moment = datetime.strptime(text, candidate)
            except ValueError:
                continue
            if end_of_day and "%H" not in candidate:
                moment = datetime.combine(moment.date(), time.max)
            break
    if moment is None:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def cell_text(value) -> str:
    return text(value)


def _coordinate(value, low, high, name) -> float | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"{name}「{text}」不是数字") from None
    if not low <= number <= high:
        raise RowError(f"{name} {number} 超出范围")
    return number


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


def order_from_values(values: dict, date_format: str = DEFAULT_DATE_FORMAT) -> HotlineOrder:
    """Check one order's values (from a file row or the API); raises RowError."""
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
    try:
        received = parse_when(values.get("received_at"), date_format)
    except ValueError:
        raise RowError(
            f"受理时间「{cell_text(values.get('received_at'))}」不是有效时间"
            f"(应为 {datetime(2026, 11, 1, 8, 30).strftime(date_format)} 这样)"
        ) from None
    if received is None:
        raise RowError("受理时间为空")
    if received > timezone.now() + FUTURE_SLACK:
        raise RowError(f"受理时间 {received:%Y-%m-%d %H:%M} 晚于当前时间")
    try:
        deadline = parse_when(values.get("deadline"), date_format, end_of_day=True)
    except ValueError:
        raise RowError(f"办理时限「{cell_text(values.get('deadline'))}」不是有效时间") from None
    if deadline is not None and deadline <= received:
        raise RowError("办理时限早于受理时间")
    if not texts["content"]:
        raise RowError("诉求内容为空")
    phone = re.sub(r"\s+", "", cell_text(values.get("phone")))
    if phone and not _PHONE.match(phone):
        raise RowError(f"联系电话「{phone}」格式不对")
    lng = _coordinate(values.get("lng"), 73, 136, "经度")
    lat = _coordinate(values.get("lat"), 3, 54, "纬度")
    if (lng is None) != (lat is None):
        raise RowError("经度和纬度要一起填写")
    return HotlineOrder(
        ticket_no=ticket,
        received_at=received,
        content=texts["content"],
        title=texts["title"],
        caller=texts["caller"],
        phone=phone,
        address=texts["address"],
        category=cell_text(values.get("category")),
        deadline=deadline,
        lng=lng,
        lat=lat,
    )


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
    columns = FIELDS

    def __init__(self, user, system: HotlineSystem):
        super().__init__(user)
        self.system = system
        self.seen: dict[str, int] = {}
        self.existing: set[str] = set()

    def mapping(self) -> dict[str, str]:
        return system_mapping(self.system)

    def begin(self) -> None:
        self.categories = CategoryMatcher()
        self.placement = Placement()
        self.grid_names: dict[str, str] = {}

    def parse(self, row: Row) -> HotlineOrder:
        order = order_from_values(row.values, self.system.date_format)
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
            category_code=self.categories.match(order.category),
            located_by=row.notes.get("how", ""),
        )
        row.notes["located"] = case.grid_id is not None
        return CREATED if created else UNCHANGED

    def counts(self, row: Row) -> dict:
        return {"located": 1} if row.outcome == CREATED and row.notes.get("located") else {}

    def describe(self, row: Row) -> dict:
        order: HotlineOrder = row.data
        if order.ticket_no in self.existing:
            return {"note": "已导入过, 将跳过"}
        code = row.notes.get("grid_code")
        if row.notes.get("out_of_scope"):
            raise RowError(f"地址属于{self._grid_name(code)}({code}), 不在您的管辖范围")
        category_code = self.categories.match(order.category)
        if category_code:
            category = MatterCategory.objects.filter(code=category_code).first()
            category_text = f"{category.name}(按文件分类)"
        else:
            suggestions = get_classifier().suggest(f"{order_title(order)} {order.content}", 1)
            category_text = (
                f"{suggestions[0].category.name}(自动分类)" if suggestions else "待人工分类"
            )
        return {
            "grid": f"{self._grid_name(code)}" if code else "未定位(进入分拨台)",
            "how": HOW_NAMES.get(row.notes.get("how", ""), ""),
            "category": category_text,
            "title": order_title(order),
        }


# -- export --------------------------------------------------------------------------------

STATUS_NAMES = {value: str(label) for value, label in Status.choices}
SATISFACTION_NAMES = {value: str(label) for value, label in Satisfaction.choices}


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
    is never a revealing one); times in the hotline's date format."""
    mapping = system_mapping(system)
    fields = [f for f in ALL_FIELDS if f.key not in ("lng", "lat")]
    headers = [mapping[f.key] for f in fields]
    status_names = {**STATUS_NAMES, **(system.status_names or {})}

    def when(value):
        return timezone.localtime(value).strftime(system.date_format) if value else ""

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
