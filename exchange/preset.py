"""The preset section exchange owns: the hotline systems an installation receives orders
from; and the loader that creates them when the preset loads (the push API and the import
page find them on a fresh server)."""

from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field

from cases.config import channel_names
from cases.models import Status
from exchange.models import DEFAULT_TIME_ZONE, HotlineSystem
from presets.schema import Array, Choice, Name, SlugOf, Table, unique
from presets.sections import Section


def _zone(name: str) -> str:
    if name not in available_timezones():
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)")
    return name


# What a historical order may become here: statuses that need no unit of ours. An order
# still open at the hotline comes in to be triaged and dispatched here.
IMPORTED_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.RESOLVED,
    Status.CLOSED,
    Status.REJECTED,
)


def _imported_status(status: Status) -> Status:
    if status not in IMPORTED_STATUSES:
        raise ValueError(f"an imported order cannot be {status.value!r} (it needs a unit here)")
    return status


# The words 12345 platforms use for an order's state (the national 12345 platform's
# 待受理 → 已受理 → 办理中 → 已办结 → 已归档 flow; 退回/不予受理 for refused ones).
STATUS_WORDS = {
    "待受理": Status.SUBMITTED,
    "待派单": Status.SUBMITTED,
    "已受理": Status.ACCEPTED,
    "已派单": Status.ACCEPTED,
    "办理中": Status.ACCEPTED,
    "已办结": Status.RESOLVED,
    "已回访": Status.CLOSED,
    "已归档": Status.CLOSED,
    "已办结归档": Status.CLOSED,
    "不予受理": Status.REJECTED,
    "已退回": Status.REJECTED,
}
# The 12345 category tree (level 1 / level 2 / level 3, as in the provincial message
# platforms' 三级分类) → the shared catalogue's codes, where one matter fits.
CATEGORY_WORDS = {
    "城乡建设/城乡规划/违章建筑": "WZ-001",
    "城乡建设/住房保障与房地产/物业服务": "WY-003",
    "环境保护/环境污染/噪音污染": "ST-002",
    "民政/社会救助/城镇低保": "SB-001",
    "民政/社会救助/农村低保": "SB-001",
    "劳动和社会保障/工资福利": "LD-001",
    "劳动和社会保障/就业培训": "LD-002",
    "劳动和社会保障/城镇职工社会保险": "SB-002",
}


class HotlineSystemSpec(Table):
    slug: SlugOf(32)
    name: Name(100)
    channel: SlugOf(32)  # the case channel its orders come in on
    # Our field (exchange.hotline.FIELDS) → the hotline's header; "" or false: not read.
    mapping: dict[SlugOf(32), str | bool] = Field(default_factory=dict)
    # The zone of its times that carry no offset.
    time_zone: Annotated[str, AfterValidator(_zone)] = DEFAULT_TIME_ZONE
    # Its status words → ours, for historical orders (an unlisted word: 已提交).
    statuses: dict[Name(40), Annotated[Choice(Status), AfterValidator(_imported_status)]] = Field(
        default_factory=lambda: dict(STATUS_WORDS)
    )
    # Its category wording (levels joined with "/") → a catalogue code.
    categories: dict[Name(200), SlugOf(40)] = Field(default_factory=lambda: dict(CATEGORY_WORDS))


class Hotline(Table):
    systems: Annotated[Array[HotlineSystemSpec], unique("slug")] = Field(
        (
            HotlineSystemSpec(
                slug="hotline-12345", name="12345 政务服务便民热线", channel="hotline_12345"
            ),
            HotlineSystemSpec(slug="hotline-12343", name="12343 热线", channel="hotline_12343"),
        ),
        description="platform default: the 12345 and 12343 hotlines, where the preset has "
        "their channel",
    )


SECTIONS = (Section("hotline", Hotline, Hotline()),)


def check_hotline(preset):
    if "hotline" not in preset.model_fields_set:
        return  # the platform's systems are created only where the preset has their channel
    channels = channel_names(preset)
    for index, system in enumerate(preset.hotline.systems):
        if system.channel not in channels:
            yield ("hotline", "systems", index, "channel"), f"no channel {system.channel!r}"


def do_load_hotline_systems(preset, context) -> None:
    """Create the hotlines whose channel the preset has, with the preset's mapping, time
    zone, status and category words. One that exists is left as the administrator set it
    (name, mapping, date format…)."""
    channels = channel_names(preset)
    for spec in preset.hotline.systems:
        if spec.channel in channels:
            HotlineSystem.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "channel": spec.channel,
                    "mapping": dict(spec.mapping),
                    "time_zone": spec.time_zone,
                    "status_map": {word: str(status) for word, status in spec.statuses.items()},
                    "category_map": dict(spec.categories),
                },
            )
