"""The preset section exchange owns: the hotline systems an installation receives orders
from; and the loader that creates them when the preset loads (the push API and the import
page find them on a fresh server)."""

from typing import Annotated

from pydantic import Field

from cases.config import channel_names
from exchange.models import HotlineSystem
from presets.schema import Array, Name, SlugOf, Table, unique
from presets.sections import Section


class HotlineSystemSpec(Table):
    slug: SlugOf(32)
    name: Name(100)
    channel: SlugOf(32)  # the case channel its orders come in on


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
    """Create the hotlines whose channel the preset has, with our default headers. One that
    exists is left as the administrator set it (name, mapping, date format)."""
    channels = channel_names(preset)
    for spec in preset.hotline.systems:
        if spec.channel in channels:
            HotlineSystem.objects.get_or_create(
                slug=spec.slug, defaults={"name": spec.name, "channel": spec.channel}
            )
