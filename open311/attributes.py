"""The questions each Open311 service asks (GeoReport "attributes"), kept as data.

The matter catalogue has no place for per-entry questions, so they live here:

- ``COMMON``: asked by every service. Together they use all six GeoReport datatypes
  (string, number, datetime, text, singlevaluelist, multivaluelist), plus one
  informational attribute (``variable`` false) that a client only shows.
- ``BY_GROUP``: added for every entry of one catalogue group (``MatterCategory.group``,
  the same names in the shared and the Fuzhou catalogues).

To add a question, add an ``Attribute`` to a list below; its ``order`` in the service
definition is its position (common ones first). Codes must be unique within a service.
An answer is checked against its datatype, stored with the case's Open311 submission and
written into the case's description so the staff who handle it read it too.
"""

import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gridgov.parsing import implausible_date, parse_w3c

STRING_LIMIT = 200
TEXT_LIMIT = 2000

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the two list datatypes
    minimum: float | None = None  # for numbers
    maximum: float | None = None

    def __post_init__(self):
        assert self.datatype in DATATYPES, self.datatype
        assert bool(self.values) == self.datatype.endswith("valuelist"), self.code

    def value_name(self, key: str) -> str:
        return dict(self.values).get(key, key)


COMMON = [
    Attribute(
        "privacy_notice",
        "string",
        "请勿在描述中填写他人的姓名、电话、身份证号等个人信息。",
        variable=False,
    ),
    Attribute(
        "severity",
        "singlevaluelist",
        "严重程度",
        values=(("normal", "一般"), ("serious", "较严重"), ("urgent", "紧急，有安全隐患")),
    ),
    Attribute(
        "observed_at",
        "datetime",
        "发现时间",
        datatype_description="ISO 8601，带时区，如 2026-11-02T09:30:00+08:00",
    ),
    Attribute("landmark", "string", "附近的标志物或门牌号", datatype_description="一行文字"),
    Attribute(
        "photo_count",
        "number",
        "现场照片张数",
        datatype_description="0–9 的整数",
        minimum=0,
        maximum=9,
    ),
    Attribute(
        "affected",
        "multivaluelist",
        "受影响的人群（可多选）",
        values=(
            ("residents", "周边居民"),
            ("elderly_children", "老人或儿童"),
            ("shops", "沿街商户"),
            ("passers", "行人和车辆"),
        ),
    ),
    Attribute(
        "access_notes",
        "text",
        "到达现场的说明（楼层、出入口、方便的时间等）",
        datatype_description="可换行",
    ),
]

BY_GROUP = {
    "市政设施": [
        Attribute("facility_number", "string", "设施编号（路灯杆号、井盖编号等）"),
    ],
    "环境卫生": [
        Attribute(
            "waste_kind",
            "multivaluelist",
            "垃圾种类（可多选）",
            values=(
                ("household", "生活垃圾"),
                ("construction", "建筑垃圾"),
                ("bulky", "大件垃圾"),
                ("kitchen", "厨余垃圾"),
                ("other", "其他"),
            ),
        ),
    ],
    "社会治安": [
        Attribute(
            "happening_now",
            "singlevaluelist",
            "是否正在发生（正在发生的违法犯罪请直接拨打 110）",
            required=True,
            values=(("yes", "正在发生"), ("no", "已经结束")),
        ),
    ],
    "消防安全": [
        Attribute(
            "hazard",
            "multivaluelist",
            "隐患类型（可多选）",
            required=True,
            values=(
                ("blocked_passage", "占用、堵塞消防通道"),
                ("flying_wire", "飞线充电"),
                ("equipment", "消防设施缺失或损坏"),
                ("exit", "安全出口堵塞或锁闭"),
                ("other", "其他"),
            ),
        ),
    ],
    "物业管理": [
        Attribute("property_company", "string", "物业服务企业名称"),
    ],
    "防汛防台": [
        Attribute(
            "water_depth_cm",
            "number",
            "积水深度（厘米）",
            datatype_description="0–500",
            minimum=0,
            maximum=500,
        ),
    ],
}


def attributes_for(category) -> list[Attribute]:
    return COMMON + BY_GROUP.get(category.group, [])


def definition(category) -> dict:
    """The GeoReport service definition of a catalogue entry."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": order,
                "description": attribute.description,
                "values": [{"key": key, "name": name} for key, name in attribute.values],
            }
            for order, attribute in enumerate(attributes_for(category), start=1)
        ],
    }


def parse_w3_datetime(raw: str):
    """A W3C/ISO 8601 date-time (or a bare date, taken as local midnight); naive times are
    taken as local time. None when it does not parse (gridgov.parsing.parse_w3c)."""
    return parse_w3c(raw)


def _number(attribute: Attribute, raw: str):
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if attribute.minimum is not None and value < attribute.minimum:
        return None
    if attribute.maximum is not None and value > attribute.maximum:
        return None
    return int(value) if value.is_integer() else value


def clean_answers(category, raw: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """Check the attribute[CODE] values of a POST against the service's definition.

    Returns the answers ({code: value}, list datatypes as lists) and a list of problems.
    An empty value counts as not given (GeoReport's rule for optional arguments)."""
    known = {a.code: a for a in attributes_for(category)}
    answers: dict = {}
    problems: list[str] = []
    for code in raw:
        attribute = known.get(code)
        if attribute is None or not attribute.variable:
            problems.append(f"attribute[{code}]: 服务 {category.code} 没有这个可填写的属性")
    for code, attribute in known.items():
        if not attribute.variable:
            continue
        values = [v.strip() for v in raw.get(code, []) if v.strip()]
        if not values:
            if attribute.required:
                problems.append(f"attribute[{code}]: 必填（{attribute.description}）")
            continue
        if attribute.datatype == "multivaluelist":
            keys = dict(attribute.values)
            bad = [v for v in values if v not in keys]
            if bad:
                problems.append(f"attribute[{code}]: {', '.join(bad)} 不是可选值 {list(keys)}")
            else:
                answers[code] = list(dict.fromkeys(values))
            continue
        if len(values) > 1:
            problems.append(f"attribute[{code}]: 只能有一个值")
            continue
        value = values[0]
        if attribute.datatype == "singlevaluelist":
            if value not in dict(attribute.values):
                problems.append(
                    f"attribute[{code}]: {value} 不是可选值 {[k for k, _ in attribute.values]}"
                )
            else:
                answers[code] = value
        elif attribute.datatype == "number":
            number = _number(attribute, value)
            if number is None:
                problems.append(f"attribute[{code}]: 应为数字 {attribute.datatype_description}")
            else:
                answers[code] = number
        elif attribute.datatype == "datetime":
            moment = parse_w3_datetime(value)
            if moment is None:
                problems.append(f"attribute[{code}]: 应为 ISO 8601 时间")
            elif reason := implausible_date(moment, f"attribute[{code}]"):
                problems.append(reason)
            else:
                answers[code] = moment.isoformat()
        elif attribute.datatype == "string":
            if "\n" in value or "\r" in value or len(value) > STRING_LIMIT:
                problems.append(f"attribute[{code}]: 应为一行、不超过 {STRING_LIMIT} 字的文字")
            else:
                answers[code] = value
        else:  # text
            if len(value) > TEXT_LIMIT:
                problems.append(f"attribute[{code}]: 不超过 {TEXT_LIMIT} 字")
            else:
                answers[code] = value
    return answers, problems


def describe_answers(category, answers: dict) -> str:
    """The answers in words, one line each, for the case's description."""
    lines = []
    for attribute in attributes_for(category):
        if attribute.code not in answers:
            continue
        value = answers[attribute.code]
        if attribute.datatype == "singlevaluelist":
            shown = attribute.value_name(value)
        elif attribute.datatype == "multivaluelist":
            shown = "、".join(attribute.value_name(v) for v in value)
        elif attribute.datatype == "datetime":
            shown = f"{timezone.localtime(parse_datetime(value)):%Y-%m-%d %H:%M}"
        else:
            shown = str(value)
        label = attribute.description.split("（")[0]
        lines.append(f"{label}：{shown}")
    return "\n".join(lines)
